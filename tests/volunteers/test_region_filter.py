"""The volunteer, service-hour and team lists filter by region with the places cascade:
one parent's children per select, the staff scope as the root, and a region outside the
scope or junk resets the filter (never a 500, never a leak of the other region's rows)."""

import re

import pytest
from django.test import Client

from tests.factories import UserFactory, grant
from tests.volunteers.factories import TeamFactory, VolunteerFactory, credit
from xinfeng.accounts.choices import Role


def client_for(user, english=False):
    c = Client()
    if english:
        c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    c.force_login(user)
    return c


def cascade_options(html: str) -> list[list[str]]:
    bodies = re.findall(r'<select id="f-region[-\d]*" name="region".*?>(.*?)</select>', html, re.S)
    return [re.findall(r"<option [^>]*>([^<]*)</option>", b) for b in bodies]


@pytest.fixture
def people(tree):
    a = VolunteerFactory(home_region=tree.v1, name="水口人")
    b = VolunteerFactory(home_region=tree.t1, name="乡里人")
    c = VolunteerFactory(home_region=tree.v2, name="江益人")
    for v in (a, b, c):
        credit(v, v.home_region, hours=2, description=f"{v.name}的服务")
    return a, b, c


@pytest.fixture
def center_admin(tree):
    return grant(UserFactory(username="zhongxin"), Role.CENTER_ADMIN, tree.city)


def test_volunteer_list_cascade_shows_the_chain_and_filters_the_subtree(tree, people, center_admin):
    html = client_for(center_admin).get("/volunteers/manage/", {"region": tree.v1.pk}).content
    html = html.decode()
    assert "水口人" in html and "乡里人" not in html and "江益人" not in html
    # The lone city root is skipped: townships, then the villages of 苏家垱乡 only.
    assert cascade_options(html) == [["全部", "苏家垱乡", "江益镇"], ["全部", "水口村"]]
    html = client_for(center_admin).get("/volunteers/manage/", {"region": tree.t1.pk}).content
    html = html.decode()
    assert "水口人" in html and "乡里人" in html and "江益人" not in html


@pytest.mark.parametrize("url", ["/volunteers/manage/", "/volunteers/manage/records/"])
def test_out_of_scope_or_junk_region_resets_the_filter(tree, people, owner, url):
    c = client_for(owner)  # institute admin of 苏家垱乡
    for value in (tree.v2.pk, tree.city.pk, "abc", "99999999", "123456789012345678901"):
        response = c.get(url, {"region": value})
        assert response.status_code == 200, value
        html = response.content.decode()
        assert "水口" in html and "江益人" not in html, value
        # The scope is the root: 江益村 is never offered.
        assert cascade_options(html) == [["全部", "水口村"]], value


def test_record_list_filters_by_the_chosen_region_and_exports_it(tree, people, center_admin):
    c = client_for(center_admin)
    html = c.get("/volunteers/manage/records/", {"region": [tree.t2.pk, tree.t2.pk]})
    html = html.content.decode()
    assert "江益人的服务" in html and "水口人的服务" not in html
    response = c.get("/volunteers/manage/records/", {"region": tree.t2.pk, "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/")


def test_team_directory_filters_with_the_cascade(client, tree):
    TeamFactory(home_site=tree.st1, name="水口服务队")
    TeamFactory(home_site=tree.st2, name="江益服务队")
    html = client.get("/volunteers/teams/", {"region": tree.v1.pk}).content.decode()
    assert "水口服务队" in html and "江益服务队" not in html
    assert cascade_options(html) == [["全部", "苏家垱乡", "江益镇"], ["全部", "水口村"]]
    assert client.get("/volunteers/teams/", {"region": "x"}).status_code == 200


def test_cascade_labels_in_english(tree, people, center_admin):
    html = client_for(center_admin, english=True).get("/volunteers/manage/", {"region": tree.t1.pk})
    html = html.content.decode()
    assert ">Area</legend>" in html
    assert '<label for="f-region">Township / street</label>' in html
    assert '<label for="f-region-1">Village / community</label>' in html
    assert all(options[0] == "All" for options in cascade_options(html))
