"""The governance pages in English: no untranslated Chinese in interface text (names of
places, people and what staff typed are data and stay as written)."""

import pytest

from tests.core.test_i18n import HAN, english_client, visible_text
from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role

from .factories import department_user, group, handover, meeting, staff, term

pytestmark = pytest.mark.django_db


def untranslated(html: str, *data: str) -> list[str]:
    text = html
    for d in (
        *sorted(data, key=len, reverse=True),
        '<span class="brand-mark" aria-hidden="true">新</span>',
        "中文",
    ):
        text = text.replace(d, "")
    return [line.strip() for line in visible_text(text).splitlines() if HAN.search(line)]


def test_governance_pages_in_english(tree):
    admin = grant(
        UserFactory(username="t1-admin", display_name="Admin"), Role.INSTITUTE_ADMIN, tree.t1
    )
    successor = UserFactory(display_name="Li")
    term(tree.st1, UserFactory(display_name="Wang"), post="Secretary")
    staff(tree.st1, name="Zhao")
    h = handover(tree.st1, successor)
    g = group(tree.v1, name="Shuikou group")
    g.members.update(name="Chen", unit="Village committee", post="Secretary")
    m = meeting(g, decisions=("Issue the plan",))
    m.title = "Kick-off"
    m.save()
    names = [r.name for r in (tree.city, tree.t1, tree.t2, tree.v1, tree.v2)]
    names += [s.name for s in (tree.center, tree.inst1, tree.inst2, tree.st1, tree.st2)]
    names += ["矩阵点单"]
    c = english_client()
    c.force_login(admin)
    for url in (
        "/governance/",
        "/governance/gaps/",
        f"/governance/sites/{tree.st1.pk}/",
        "/governance/handovers/",
        f"/governance/handovers/{h.pk}/",
        "/governance/groups/",
        f"/governance/groups/{g.pk}/",
        "/governance/departments/",
        f"/places/sites/{tree.st1.pk}/",
    ):
        r = c.get(url)
        assert r.status_code == 200, url
        assert untranslated(r.content.decode(), *names) == [], url
    dept = english_client()
    hr = department_user(tree.city, "human_resources")
    hr.display_name = "HR bureau"
    hr.save()
    dept.force_login(hr)
    body = dept.get("/governance/departments/").content.decode()
    assert "Full-time staff in post (total)" in body
    assert untranslated(body, *names) == []
