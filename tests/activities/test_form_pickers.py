"""The organiser's forms pick sites, teams, projects and rooms by searching (a city or
province admin manages ~100,000 sites, ~12,000 teams): the pages never list rows from
elsewhere in the tree, a picked id saves, a crafted out-of-scope id is a form error."""

import re
from datetime import timedelta

import pytest

from tests.activities.conftest import soon
from tests.factories import ProjectFactory, TeamFactory, VenueFactory
from xinfeng.activities.models import Activity, News, VenueBooking

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


def _radios(html: str, name: str) -> list[int]:
    return [int(v) for v in re.findall(rf'type="radio" name="{name}" value="(\d+)"', html)]


@pytest.fixture
def rows(tree, venue):
    """One team, project and room in the owner's township (苏家垱乡) and one elsewhere."""
    ns = {
        "team_in": TeamFactory(name="水口村宣讲队", home_site=tree.st1, region=tree.v1),
        "team_out": TeamFactory(name="江益镇宣讲队", home_site=tree.inst2, region=tree.t2),
        "project_in": ProjectFactory(name="水口村理论宣讲", site=tree.st1, region=tree.v1),
        "project_out": ProjectFactory(name="江益镇理论宣讲", site=tree.inst2, region=tree.t2),
        "venue_in": venue,
        "venue_out": VenueFactory(site=tree.inst2, name="江益镇礼堂", capacity=200),
    }
    return type("Rows", (), ns)


def _activity(tree, rows, **over) -> dict:
    start = soon()
    data = {
        "site": tree.st1.pk,
        "title": "理论宣讲进村",
        "category": "theory",
        "starts_at": start.strftime(FMT),
        "ends_at": (start + timedelta(hours=1)).strftime(FMT),
        "capacity": 20,
        "mode": "offline",
        "eligibility": "everyone",
        "venue": rows.venue_in.pk,
        "team": rows.team_in.pk,
        "project": rows.project_in.pk,
    }
    return {**data, **over}


def test_new_activity_page_lists_only_the_scope(client, owner, tree, rows):
    client.force_login(owner)
    html = client.get("/activities/manage/new/").content.decode()
    for name, url in [
        ("site", "/volunteers/pick/sites/"),
        ("team", "/volunteers/pick/teams/"),
        ("project", "/activities/manage/pick/projects/"),
        ("venue", "/activities/manage/pick/venues/"),
    ]:
        assert f'<select name="{name}"' not in html
        assert f'hx-get="{url}"' in html
    assert tree.st1.pk in _radios(html, "site")
    assert tree.inst2.pk not in _radios(html, "site")
    assert tree.center.pk not in _radios(html, "site")
    assert rows.team_in.pk in _radios(html, "team")
    assert rows.team_out.pk not in _radios(html, "team") and "江益镇宣讲队" not in html
    assert rows.project_in.pk in _radios(html, "project")
    assert rows.project_out.pk not in _radios(html, "project") and "江益镇理论宣讲" not in html
    assert rows.venue_in.pk in _radios(html, "venue")
    assert rows.venue_out.pk not in _radios(html, "venue") and "江益镇礼堂" not in html


def test_project_and_venue_search_endpoints(client, owner, tree, rows):
    url_p, url_v = "/activities/manage/pick/projects/", "/activities/manage/pick/venues/"
    assert client.get(url_p, {"field": "project"}).status_code == 401
    client.force_login(owner)
    assert client.get(url_p, {"field": "a b"}).status_code == 400
    assert client.get(url_v, {}).status_code == 400
    frag = client.get(url_p, {"field": "project", "q": "理论宣讲"}).content.decode()
    assert _radios(frag, "project") == [rows.project_in.pk]
    frag = client.get(url_p, {"field": "project", "q": "江益"}).content.decode()
    assert _radios(frag, "project") == [] and "没有匹配的结果" in frag
    # A crafted "current value" from elsewhere is not echoed back either.
    frag = client.get(url_p, {"field": "project", "project": rows.project_out.pk}).content
    assert rows.project_out.pk not in _radios(frag.decode(), "project")
    frag = client.get(url_v, {"field": "venue", "q": "水口村"}).content.decode()  # site name
    assert _radios(frag, "venue") == [rows.venue_in.pk]
    frag = client.get(url_v, {"field": "venue", "q": "礼堂"}).content.decode()
    assert _radios(frag, "venue") == []


def test_posting_picked_ids_creates_the_activity(client, owner, tree, rows):
    client.force_login(owner)
    resp = client.post("/activities/manage/new/", _activity(tree, rows))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    a = Activity.objects.get(title="理论宣讲进村")
    assert (a.site, a.team, a.project, a.venue) == (
        tree.st1,
        rows.team_in,
        rows.project_in,
        rows.venue_in,
    )


@pytest.mark.parametrize(
    "field,bad,message",
    [
        ("site", "inst2", "请从搜索结果中选择阵地"),
        ("team", "team_out", "请从搜索结果中选择队伍"),
        ("project", "project_out", "请从搜索结果中选择服务项目"),
        ("venue", "venue_out", "请从搜索结果中选择场所"),
        ("team", "huge", "请从搜索结果中选择队伍"),
        ("project", "abc", "请从搜索结果中选择服务项目"),
    ],
)
def test_crafted_out_of_scope_ids_are_form_errors(client, owner, tree, rows, field, bad, message):
    value = {"huge": str(2**70), "abc": "abc", "inst2": tree.inst2.pk}.get(bad)
    if value is None:
        value = getattr(rows, bad).pk
    client.force_login(owner)
    resp = client.post("/activities/manage/new/", _activity(tree, rows, **{field: value}))
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert not Activity.objects.exists()


def test_edit_shows_the_fixed_site_and_keeps_an_older_team(
    client, owner, tree, rows, make_activity
):
    # Set through the service before the scope narrowed: an edit must not drop it.
    activity = make_activity(publish=False, team=rows.team_out)
    client.force_login(owner)
    url = f"/activities/{activity.pk}/manage/edit/"
    html = client.get(url).content.decode()
    assert re.search(r'<select name="site"[^>]*disabled', html)
    assert html.count("<option") >= 1 and "江益镇实践所" not in html
    assert _radios(html, "team")[0] == rows.team_out.pk  # the current one, checked
    data = _activity(tree, rows, site=tree.inst2.pk, team=rows.team_out.pk, title="改名")
    data.pop("project")
    resp = client.post(url, data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    activity.refresh_from_db()
    assert (activity.title, activity.site, activity.team) == ("改名", tree.st1, rows.team_out)


def test_news_page_picks_a_site_in_scope(client, owner, tree):
    client.force_login(owner)
    html = client.get("/activities/news/new/").content.decode()
    assert 'hx-get="/volunteers/pick/sites/"' in html
    assert tree.st1.pk in _radios(html, "site") and tree.inst2.pk not in _radios(html, "site")
    body = {"kind": "news", "title": "村晚", "body": "周六晚上"}
    bad = client.post("/activities/news/new/", {**body, "site": tree.inst2.pk})
    assert bad.status_code == 400 and "请从搜索结果中选择阵地" in bad.content.decode()
    ok = client.post("/activities/news/new/", {**body, "site": tree.st1.pk})
    assert ok.status_code == 302
    assert News.objects.get(title="村晚").site == tree.st1


def test_staff_booking_picks_a_team_of_their_scope(client, owner, tree, rows):
    venue = rows.venue_in
    start = soon()
    data = {
        "title": "宣讲排练",
        "starts_at": start.strftime(FMT),
        "ends_at": (start + timedelta(hours=1)).strftime(FMT),
    }
    client.force_login(owner)
    html = client.get(f"/activities/venues/{venue.pk}/").content.decode()
    assert 'hx-get="/volunteers/pick/teams/"' in html and '<select name="team"' not in html
    assert rows.team_in.pk in _radios(html, "team")
    assert rows.team_out.pk not in _radios(html, "team")
    bad = client.post(f"/activities/venues/{venue.pk}/", {**data, "team": rows.team_out.pk})
    assert bad.status_code == 400 and "请从搜索结果中选择队伍" in bad.content.decode()
    ok = client.post(f"/activities/venues/{venue.pk}/", {**data, "team": rows.team_in.pk})
    assert ok.status_code == 302
    assert VenueBooking.objects.get(title="宣讲排练").team == rows.team_in
