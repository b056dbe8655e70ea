"""The site map API: compact GeoJSON markers (one query, cached), popups with the next
activities, the region sketch with the 15-minute-circle gaps, and the live coverage API."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfeng.activities.choices import ActivityState
from xinfeng.insights.geo import wgs84_to_gcj02
from xinfeng.insights.rollup import run_rollup
from xinfeng.places.models import PopulationPoint, Site

from .conftest import _activity


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_markers_are_every_open_site_in_one_query(client, city):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/insights/map/sites")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    assert len(ctx.captured_queries) == 1
    features = json.loads(response.content)["features"]
    open_ids = set(Site.objects.open_at().exclude(latitude=None).values_list("id", flat=True))
    assert {f["properties"]["i"] for f in features} == open_ids
    assert city.closed.pk not in open_ids
    st1 = next(f for f in features if f["properties"]["i"] == city.st1.pk)
    assert st1["properties"] == {"i": city.st1.pk, "n": "水口村实践站", "l": "station", "c": 1}
    assert st1["geometry"]["coordinates"] == [city.st1.longitude, city.st1.latitude]


def test_markers_are_cached_and_follow_site_edits(client, city):
    client.get("/api/v1/insights/map/sites")
    with CaptureQueriesContext(connection) as ctx:
        again = client.get("/api/v1/insights/map/sites")
    assert len(ctx.captured_queries) == 0
    assert (
        client.get("/api/v1/insights/map/sites", HTTP_IF_NONE_MATCH=again["ETag"]).status_code
        == 304
    )
    city.st2.name = "江益村新时代文明实践站"
    city.st2.save()
    names = [
        f["properties"]["n"]
        for f in json.loads(client.get("/api/v1/insights/map/sites").content)["features"]
    ]
    assert "江益村新时代文明实践站" in names


@override_settings(MAP_TILE_CRS="gcj02", MAP_TILE_URL="https://tiles.example/{z}/{x}/{y}.png")
def test_markers_are_converted_for_gcj02_tiles(client, city):
    city.st1.latitude, city.st1.longitude = 29.2486, 115.8056
    city.st1.save()
    features = json.loads(client.get("/api/v1/insights/map/sites").content)["features"]
    lng, lat = next(f for f in features if f["properties"]["i"] == city.st1.pk)["geometry"][
        "coordinates"
    ]
    want = wgs84_to_gcj02(29.2486, 115.8056)
    assert (lat, lng) == (round(want[0], 6), round(want[1], 6))
    popup = client.get(f"/api/v1/insights/map/sites/{city.st1.pk}").json()
    assert (popup["lat"], popup["lng"]) == (lat, lng)
    assert popup["tiles"] == {
        "url": "https://tiles.example/{z}/{x}/{y}.png",
        "attribution": "",
        "crs": "gcj02",
    }


def test_popup_has_hours_link_and_the_next_published_activities(client, city):
    now = timezone.now()
    soon = _activity(city.st1, now + timedelta(days=1), ActivityState.PUBLISHED)
    _activity(city.st1, now + timedelta(days=2), ActivityState.DRAFT)
    _activity(city.st1, now - timedelta(days=2), ActivityState.FINISHED)
    body = client.get(f"/api/v1/insights/map/sites/{city.st1.pk}").json()
    assert body["name"] == "水口村实践站" and body["url"] == f"/places/sites/{city.st1.pk}/"
    assert body["opening_hours"] == city.st1.opening_hours
    assert [a["id"] for a in body["next_activities"]] == [soon.pk]
    assert body["next_activities"][0]["url"] == f"/activities/{soon.pk}/"


def test_popup_of_a_missing_site_is_404(client, city):
    response = client.get("/api/v1/insights/map/sites/999999")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_region_layer_sketches_townships_and_marks_uncovered_villages(client, city):
    # 水口村 (v1) gets most of its people 20 km away from any site: uncovered.
    for v, lat, lng in (
        (city.v1, 29.10, 115.60),
        (city.v2, 29.25, 115.80),
        (city.v3, 29.26, 115.82),
    ):
        v.latitude, v.longitude = lat, lng
        v.save()
    PopulationPoint.objects.create(region=city.v1, latitude=29.10, longitude=115.60, weight=5000)
    run_rollup()
    body = client.get(f"/api/v1/insights/map/regions?region_id={city.city.pk}").json()
    assert {f["properties"]["n"] for f in body["outlines"]["features"]} >= {"江益镇"}
    assert {v[1] for v in body["villages"]} == {"水口村", "江益村", "江益社区"}
    assert [u["name"] for u in body["uncovered"]] == ["水口村"]
    assert body["uncovered"][0]["uncovered"] == 5200
    assert body["suggestions"][0]["region"] == "水口村"
    assert body["suggestions"][0]["gain"] == 5000
    assert body["coverage"] == pytest.approx(1600 / 6800, abs=1e-4)


def test_region_layer_of_a_missing_region_is_404(client, city):
    assert client.get("/api/v1/insights/map/regions?region_id=999999").status_code == 404


def test_map_page_renders_for_anyone_with_the_offline_note(client, city):
    html = client.get("/insights/map/").content.decode()
    assert 'id="site-map"' in html and "vendor/leaflet/leaflet.js" in html
    assert "未配置底图" in html


def test_coverage_api_computes_any_walk(client, city):
    short = client.get(f"/api/v1/insights/coverage?region_id={city.city.pk}&minutes=15").json()
    assert short["radius_m"] == 1125.0
    assert short["population"] == 1800 and short["covered"] == 1600
    assert [c["name"] for c in short["uncovered_villages"]] == []
    long = client.get(
        f"/api/v1/insights/coverage?region_id={city.city.pk}&minutes=120&speed_kmh=12"
    ).json()
    assert long["covered"] == 1800 and long["share"] == 1.0


@pytest.mark.parametrize("query", ["minutes=0", "minutes=abc", "speed_kmh=100", "picks=99"])
def test_coverage_api_refuses_bad_walks_with_422(client, city, query):
    response = client.get(f"/api/v1/insights/coverage?{query}")
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_coverage_page_shows_share_and_refuses_bad_input(client, city):
    html = client.get(f"/insights/coverage/?region={city.city.pk}").content.decode()
    assert "88.9%" in html  # 1600 of 1800 residents
    bad = client.get("/insights/coverage/?minutes=-3")
    assert bad.status_code == 400 and "步行时间应在" in bad.content.decode()
