"""The volunteers staff forms pick sites, regions and teams with the search-as-you-type
picker (a province has ~100,000 sites, ~20,000 regions, ~12,000 teams): the pages list a
few candidates of the user's scope, never every row; the endpoints search in that scope;
a crafted out-of-scope id is a form error (400), never a 500."""

from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.factories import RegionFactory, SiteFactory
from tests.places.test_pickers import checked, radios
from tests.volunteers.factories import TeamFactory, VolunteerFactory
from xinfeng.places.choices import SiteLevel
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.pickers import LIMIT
from xinfeng.volunteers.choices import TeamType
from xinfeng.volunteers.models import Reward, ServiceRecord, Team

N = 30  # more than one page of candidates (LIMIT = 20)
SITE_OUT = "请从搜索结果中选择阵地：所选阵地不存在或不在您的管理范围内。"
TEAM_OUT = "请从搜索结果中选择队伍：所选队伍不存在、已停用或不在您的管理范围内。"
REGION_OUT = "请从搜索结果中选择区划：所选区划不存在或不在您的管理范围内。"


@pytest.fixture
def session(owner):
    """An institute admin of 苏家垱乡 (t1)."""
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def world(tree):
    """N stations and N teams in 苏家垱乡, a county team above it, a team elsewhere."""
    stations = [
        SiteFactory(
            name=f"水口村第{i:02d}站", level=SiteLevel.STATION, region=tree.v1, parent=tree.inst1
        )
        for i in range(N)
    ]
    teams = [TeamFactory(home_site=tree.st1, name=f"水口村第{i:02d}队") for i in range(N)]
    county = TeamFactory(home_site=tree.center, name="共青城市志愿服务总队")
    county.team_type = TeamType.GENERAL
    county.save()
    elsewhere = TeamFactory(home_site=tree.st2, name="江益村志愿服务队")
    return stations, teams, county, elsewhere


def no_select(html: str, name: str) -> bool:
    return f'<select name="{name}"' not in html


def test_team_form_lists_a_first_page_of_the_scope_only(session, tree, world):
    html = session.get("/volunteers/teams/new/").content.decode()
    assert no_select(html, "home_site") and no_select(html, "parent")
    assert 'hx-get="/volunteers/pick/sites/"' in html
    assert 'hx-get="/volunteers/pick/teams/"' in html
    sites, parents = radios(html, "home_site"), radios(html, "parent")
    assert 0 < len(sites) <= LIMIT and 0 < len(parents) <= LIMIT + 1  # + "（不选）"
    assert "水口村第29站" not in html and "水口村第29队" not in html  # past the first page
    assert "江益村实践站" not in html and "江益村志愿服务队" not in html  # outside the scope
    assert "只显示前 20 项" in html


def test_team_edit_keeps_current_choices_and_never_offers_itself(session, tree, world):
    _stations, teams, county, _elsewhere = world
    team = teams[-1]
    team.parent = county
    team.save()
    html = unescape(session.get(f"/volunteers/teams/{team.pk}/edit/").content.decode())
    assert checked(html, "parent") == [str(county.pk)]
    assert radios(html, "parent")[str(county.pk)] == "共青城市志愿服务总队（共青城市）"
    assert str(team.pk) not in radios(html, "parent")
    assert checked(html, "home_site") == [str(tree.st1.pk)]
    assert f'"exclude": {team.pk}' in html  # the search leaves the team out too


def test_team_search_is_scoped_and_includes_the_teams_above(session, tree, world):
    _stations, teams, county, elsewhere = world
    r = session.get("/volunteers/pick/teams/", {"field": "parent", "q": "志愿服务"})
    assert r.status_code == 200
    got = radios(r.content.decode(), "parent")
    assert str(county.pk) in got  # the county's team, above the township admin
    assert str(elsewhere.pk) not in got  # 江益镇 is another township
    r = session.get("/volunteers/pick/teams/", {"field": "parent", "q": "第29"})
    assert list(radios(r.content.decode(), "parent")) == ["", str(teams[-1].pk)]
    # An out-of-scope current value is not echoed back, an excluded team is left out.
    r = session.get(
        "/volunteers/pick/teams/",
        {"field": "parent", "parent": elsewhere.pk, "q": "第2", "exclude": teams[20].pk},
    )
    html = r.content.decode()
    assert checked(html, "parent") == [""] and str(elsewhere.pk) not in radios(html, "parent")
    assert str(teams[20].pk) not in radios(html, "parent")
    assert str(teams[21].pk) in radios(html, "parent")
    r = session.get("/volunteers/pick/teams/", {"field": "parent", "q": "江益"})
    assert "没有匹配的结果" in r.content.decode()


def test_site_search_is_scoped_to_the_staff_sites(session, tree, world):
    r = session.get(
        "/volunteers/pick/sites/",
        {"field": "home_site", "q": "站", "home_site": tree.st2.pk, "required": "1"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    got = radios(html, "home_site")
    assert str(tree.st2.pk) not in got and checked(html, "home_site") == []
    assert len(got) == LIMIT and "" not in got  # required: no "none" option
    r = session.get("/volunteers/pick/sites/", {"field": "home_site", "q": "实践中心"})
    assert radios(r.content.decode(), "home_site") == {"": "（不选）"}  # the center is above t1


@pytest.mark.parametrize("url", ["/volunteers/pick/sites/", "/volunteers/pick/teams/"])
def test_pick_endpoints_refuse_bad_requests(session, tree, url):
    assert Client().get(url, {"field": "parent"}).status_code == 401
    assert session.get(url, {"field": "Bad-Name"}).status_code == 400
    assert session.get(url).status_code == 400
    assert session.post(url, {"field": "parent"}).status_code == 405
    r = session.get(url, {"field": "parent", "parent": "9" * 40, "q": "%_" * 100})
    assert r.status_code == 200 and "没有匹配的结果" in r.content.decode()


def team_data(tree, **overrides):
    data = {
        "name": "水口村新队",
        "team_type": "village",
        "home_site": tree.st1.pk,
        "capacity": "3",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_team_create_validates_the_picked_ids(session, tree, world):
    _stations, teams, county, elsewhere = world
    before = Team.objects.count()
    for bad in [tree.st2.pk, 10**12, "abc", "9" * 30]:
        r = session.post("/volunteers/teams/new/", team_data(tree, home_site=bad))
        assert r.status_code == 400 and SITE_OUT in r.content.decode()
    for bad in [elsewhere.pk, 10**12, "x"]:
        r = session.post("/volunteers/teams/new/", team_data(tree, parent=bad))
        assert r.status_code == 400 and TEAM_OUT in r.content.decode()
    assert Team.objects.count() == before
    r = session.post("/volunteers/teams/new/", team_data(tree, parent=county.pk))
    assert r.status_code == 302
    assert Team.objects.get(name="水口村新队").parent == county


def test_team_edit_refuses_itself_and_out_of_scope_parents(session, tree, world):
    _stations, teams, _county, elsewhere = world
    team = teams[0]
    for bad in [team.pk, elsewhere.pk]:
        r = session.post(f"/volunteers/teams/{team.pk}/edit/", team_data(tree, parent=bad))
        assert r.status_code == 400 and TEAM_OUT in r.content.decode()
    team.refresh_from_db()
    assert team.parent is None


def test_backfill_and_import_pick_regions_of_the_scope(session, tree, world):
    for i in range(N):
        RegionFactory(name=f"水口{i:02d}组", level=RegionLevel.NATURAL_VILLAGE, parent=tree.v1)
    v = VolunteerFactory(home_region=tree.v1)
    for url in [f"/volunteers/manage/{v.pk}/backfill/", "/volunteers/manage/imports/"]:
        html = unescape(session.get(url).content.decode())
        assert no_select(html, "region") and 'hx-get="/places/pick/regions/"' in html
        assert '"scope": "staff"' in html
        assert 0 < len(radios(html, "region")) <= LIMIT
        assert "水口29组" not in html and "江益村" not in html

    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "region": tree.v2.pk,
        "started_at": (now - timedelta(hours=3)).strftime(fmt),
        "ended_at": (now - timedelta(hours=1)).strftime(fmt),
        "description": "补录",
    }
    for bad in [tree.v2.pk, 10**12, "abc"]:
        r = session.post(f"/volunteers/manage/{v.pk}/backfill/", dict(data, region=bad))
        assert r.status_code == 400 and REGION_OUT in r.content.decode()
    assert not ServiceRecord.objects.filter(volunteer=v).exists()
    r = session.post(f"/volunteers/manage/{v.pk}/backfill/", dict(data, region=tree.v1.pk))
    assert r.status_code == 302

    f = SimpleUploadedFile("志愿者.xlsx", b"not read: the region is refused first")
    r = session.post("/volunteers/manage/imports/", {"region": tree.t2.pk, "file": f})
    assert r.status_code == 400 and REGION_OUT in r.content.decode()


def test_exchange_and_certificate_forms_pick_staff_sites(session, tree, world):
    v = VolunteerFactory(home_region=tree.v1)
    for url, name in [
        ("/volunteers/manage/exchange/", "site"),
        (f"/volunteers/manage/{v.pk}/", "issuer_site"),
    ]:
        html = session.get(url).content.decode()
        assert no_select(html, name) and 'hx-get="/volunteers/pick/sites/"' in html
        assert 0 < len(radios(html, name)) <= LIMIT
        assert "水口村第29站" not in html and "江益村实践站" not in html

    reward = {"site": tree.st2.pk, "name": "香皂", "points_cost": "10", "stock": "1"}
    r = session.post("/volunteers/manage/exchange/", reward)
    assert r.status_code == 400 and SITE_OUT in r.content.decode()
    assert not Reward.objects.exists()
    assert (
        session.post("/volunteers/manage/exchange/", dict(reward, site=tree.st1.pk)).status_code
        == 302
    )

    r = session.post(f"/volunteers/manage/{v.pk}/certificate/", {"issuer_site": tree.inst2.pk})
    assert r.status_code == 400 and SITE_OUT in r.content.decode()
    assert not v.certificates.exists()
