"""The walk of the 15-minute circle is configurable (``XINFENG_WALK_MINUTES`` /
``XINFENG_WALK_SPEED_KMH``): the rollup, the coverage page and API defaults and the map's
note all follow the setting, so the dashboard and the analysis never disagree."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from xinfeng.insights.models import RegionStat
from xinfeng.insights.rollup import run_rollup


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_default_walk_leaves_the_far_village_point_outside(client, city):
    run_rollup()
    f = RegionStat.objects.get(region=city.city).figures
    assert (f["population"], f["population_covered"]) == (1800, 1600)
    body = client.get(f"/api/v1/insights/coverage?region_id={city.city.pk}").json()
    assert (body["minutes"], body["speed_kmh"], body["radius_m"]) == (15.0, 4.5, 1125.0)
    html = client.get("/insights/map/").content.decode()
    assert "步行 15 分钟、每小时 4.5 公里，即 1125 米" in html


@override_settings(XINFENG_WALK_MINUTES=120, XINFENG_WALK_SPEED_KMH=12)
def test_configured_walk_drives_the_rollup_the_pages_and_the_api(client, city):
    run_rollup()
    f = RegionStat.objects.get(region=city.city).figures
    # 24 km reach the point 15 km from every site: everyone is covered.
    assert (f["population"], f["population_covered"], f["coverage"]) == (1800, 1800, 1.0)
    body = client.get(f"/api/v1/insights/coverage?region_id={city.city.pk}").json()
    assert (body["minutes"], body["speed_kmh"], body["radius_m"]) == (120.0, 12.0, 24000.0)
    assert body["covered"] == 1800
    page = client.get(f"/insights/coverage/?region={city.city.pk}").content.decode()
    assert 'name="minutes" type="number" min="1" max="120" step="1" value="120"' in page
    assert "100.0%" in page
    html = client.get("/insights/map/").content.decode()
    assert "步行 120 分钟、每小时 12 公里，即 24000 米" in html
    config = json.loads(
        re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html).group(1)
    )
    assert config["radius_m"] == 24000.0


@pytest.mark.parametrize("query", ["region_id=0", "region_id=99999999999999999999"])
def test_absurd_region_ids_are_422_not_500(client, city, query):
    for url in ("/api/v1/insights/coverage", "/api/v1/insights/map/regions"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 422 and response.json()["code"] == "invalid", url
