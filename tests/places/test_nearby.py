"""离我最近: the site directory and the map's API list the sites nearest to the person's
position, or to their home village when the browser gives none, with the distance and the
walking time of the 15-minute circle."""

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.factories import SiteFactory, UserFactory
from xinfeng.places.choices import SiteLevel
from xinfeng.places.coverage import walking_minutes

# One degree of latitude is 111.195 km on the mean sphere: 0.01° north is 1,112 m.
BASE = (29.2500, 115.8000)


@pytest.fixture
def spread(tree):
    """The tree's sites moved to known distances north of BASE."""
    for site, dlat in (
        (tree.st1, 0.0045),  # ~500 m
        (tree.st2, 0.0100),  # ~1,112 m
        (tree.inst1, 0.0300),  # ~3.3 km
        (tree.inst2, 0.2000),  # ~22 km
        (tree.center, 1.5000),  # ~167 km: only found once the search box widens
    ):
        site.latitude, site.longitude = BASE[0] + dlat, BASE[1]
        site.save()
    return tree


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _names(html: str) -> list[str]:
    return re.findall(r'<span class="list-title">([^<]+)</span>', html)


def test_walking_minutes_use_the_circles_speed():
    assert walking_minutes(1125) == 15  # 15 min at 4.5 km/h
    assert walking_minutes(1126) == 16  # rounded up
    assert walking_minutes(10) == 1
    with override_settings(XINFENG_WALK_SPEED_KMH=3):
        assert walking_minutes(1125) == 23


def test_directory_lists_sites_by_distance_from_the_device(client, spread):
    html = client.get(f"/places/sites/?near=1&lat={BASE[0]}&lng={BASE[1]}").content.decode()
    assert _names(html) == [
        "水口村实践站",
        "江益村实践站",
        "苏家垱乡实践所",
        "江益镇实践所",
        "实践中心",
    ]
    assert "按您当前的位置计算" in html
    text = _text(html)
    assert "500 米 · 步行约 7 分钟" in text  # 500 m at 75 m/min
    assert "1.1 公里 · 步行约 15 分钟" in text
    assert "166.8 公里" in text


def test_filters_still_apply_when_sorted_by_distance(client, spread):
    html = client.get(
        f"/places/sites/?near=1&lat={BASE[0]}&lng={BASE[1]}&level={SiteLevel.INSTITUTE}"
    ).content.decode()
    assert _names(html) == ["苏家垱乡实践所", "江益镇实践所"]


def test_refused_location_falls_back_to_the_home_village(client, spread):
    spread.v2.latitude, spread.v2.longitude = BASE[0] + 0.0100, BASE[1]
    spread.v2.save()
    user = UserFactory(username="near-home", home_region=spread.v2)
    client.force_login(user)
    html = client.get("/places/sites/?near=1").content.decode()
    assert "按您的居住地（江益村）计算" in html
    assert _names(html)[0] == "江益村实践站"


def test_anonymous_without_a_position_is_told_what_to_do(client, spread):
    html = client.get("/places/sites/?near=1&lat=abc&lng=").content.decode()
    assert "无法获取您的位置" in html
    assert "登录后也可按您的居住地排序" in html


def test_directory_by_distance_runs_a_fixed_handful_of_queries(client, spread):
    for i in range(25):
        SiteFactory(name=f"点{i}", level=SiteLevel.POINT, region=spread.v1, parent=spread.st1)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/places/sites/?near=1&lat={BASE[0]}&lng={BASE[1]}")
    assert r.status_code == 200
    assert len(_names(r.content.decode())) == 20
    assert len(ctx.captured_queries) <= 6, [q["sql"] for q in ctx.captured_queries]


def test_a_province_is_searched_in_growing_boxes(spread, monkeypatch):
    """With more candidates than READ_ALL_BELOW the search reads boxes around the origin
    and still finds the far site once the box has grown to it."""
    from xinfeng.places import nearby
    from xinfeng.places.models import Site

    monkeypatch.setattr(nearby, "READ_ALL_BELOW", 2)
    origin = nearby.Origin(BASE[0], BASE[1], "device", "")
    found = nearby.nearest_sites(Site.objects.all(), origin=origin, limit=5)
    assert [n.site.name for n in found][-1] == "实践中心"  # ~167 km: the last, widest box
    assert [round(n.distance_m / 1000, 1) for n in found][:2] == [0.5, 1.1]


def test_map_api_gives_the_nearest_open_sites_with_walking_time(client, spread):
    body = client.get(f"/api/v1/insights/map/nearest?lat={BASE[0]}&lng={BASE[1]}&limit=2").json()
    assert body["origin"]["source"] == "device"
    assert [i["name"] for i in body["items"]] == ["水口村实践站", "江益村实践站"]
    assert [i["walk_minutes"] for i in body["items"]] == [7, 15]
    assert body["speed_kmh"] == 4.5


def test_map_api_without_position_or_home_has_no_origin(client, spread):
    body = client.get("/api/v1/insights/map/nearest").json()
    assert body == {"origin": None, "items": [], "speed_kmh": 4.5}


def test_map_api_refuses_an_impossible_position(client, spread):
    r = client.get("/api/v1/insights/map/nearest?lat=95&lng=115")
    assert r.status_code == 422
    assert set(r.json()) >= {"detail", "code"}


def test_nearest_sites_speak_english(client, spread):
    html = client.get(
        f"/places/sites/?near=1&lat={BASE[0]}&lng={BASE[1]}", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    text = _text(html[html.index('id="site-rows"') : html.index("</main>")])
    for name in _names(html) + ["苏家垱乡", "江益镇", "水口村", "江益村", "共青城市"]:
        text = text.replace(name, "")
    assert "0.5 km" not in text and "500 m · about 7 min on foot" in text
    assert not re.search(r"[\u4e00-\u9fff]", text), text
