"""The declare page picks the site by searching the user's staff scope (a province admin
manages ~100,000 sites): the page never lists sites from elsewhere in the tree, a picked id
declares, a crafted out-of-scope id is a form error (never a 500)."""

import html as htmllib
import re

import pytest

from xinfeng.accounts.choices import Role
from xinfeng.projects.models import Project

from ..factories import SiteFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def _radios(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'type="radio" name="site" value="(\d+)"', html)]


@pytest.fixture
def institute_admin(tree):
    return grant(UserFactory(username="t1_admin"), Role.INSTITUTE_ADMIN, tree.t1)


def _body(site_id) -> dict:
    return {"name": "普法宣传", "category": "law", "site": site_id, "age_group": "all"}


def test_page_lists_only_sites_in_scope_and_at_most_twenty(tree, institute_admin, client):
    many = [SiteFactory(name=f"新屋{i:02d}组实践点", region=tree.v1) for i in range(25)]
    client.force_login(institute_admin)
    html = client.get("/projects/new/").content.decode()
    radios = _radios(html)
    assert 0 < len(radios) <= 20 and "只显示前 20 项" in html
    assert not {s.pk for s in many} <= set(radios)
    assert tree.inst2.pk not in radios and tree.center.pk not in radios  # elsewhere / above
    assert 'hx-get="/volunteers/pick/sites/"' in html
    assert '"field": "site"' in htmllib.unescape(html)
    # Searching finds a site the first page did not list; posting it declares.
    frag = client.get("/volunteers/pick/sites/", {"field": "site", "q": "新屋24"}).content.decode()
    assert _radios(frag) == [many[24].pk]
    resp = client.post("/projects/new/", _body(many[24].pk))
    assert resp.status_code == 302
    assert Project.objects.get(name="普法宣传").site == many[24]


@pytest.mark.parametrize("bad", ["elsewhere", "above", "missing", "abc", "huge"])
def test_crafted_site_is_a_form_error(tree, institute_admin, client, bad):
    value = {
        "elsewhere": tree.inst2.pk,
        "above": tree.center.pk,
        "missing": 987654321,
        "abc": "abc",
        "huge": str(2**70),
    }[bad]
    client.force_login(institute_admin)
    resp = client.post("/projects/new/", _body(value))
    assert resp.status_code == 400
    assert "请从搜索结果中选择阵地" in resp.content.decode()
    assert not Project.objects.exists()


def test_user_without_sites_gets_404(tree, resident, client):
    client.force_login(resident)
    assert client.get("/projects/new/").status_code == 404
