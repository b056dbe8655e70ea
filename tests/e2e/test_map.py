"""The practice-site map in Chromium: markers for every open site, a popup with the
site's hours and link, the offline region sketch, and the small map on a site page."""

import base64
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.insights.conftest import city  # noqa: F401  (fixture)
from xinfeng.insights.geo import wgs84_to_gcj02
from xinfeng.insights.rollup import run_rollup
from xinfeng.places.models import PopulationPoint, Site

PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


@pytest.mark.django_db(transaction=True)
def test_map_shows_a_marker_per_open_site_and_a_popup(desktop_page, city):  # noqa: F811
    run_rollup()
    page = desktop_page
    page.goto("/insights/map/")
    expect(page.locator("#site-map")).to_have_attribute("data-ready", "1")
    open_sites = Site.objects.open_at().exclude(latitude=None).count()
    expect(page.locator("#site-map")).to_have_attribute("data-markers", str(open_sites))
    expect(page.locator("#map-status")).to_contain_text(str(open_sites))
    # Offline: no tiles requested, the region sketch is drawn instead.
    assert page.locator(".leaflet-tile").count() == 0
    page.evaluate(f"window.xinfengMap.markers[{city.st1.pk}].openPopup()")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("水口村实践站")
    expect(popup.get_by_role("link", name="查看阵地详情")).to_have_attribute(
        "href", f"/places/sites/{city.st1.pk}/"
    )
    # Hiding a level removes its markers from the map.
    page.get_by_label("新时代文明实践站").uncheck()
    assert (
        page.evaluate(f"window.xinfengMap.map.hasLayer(window.xinfengMap.markers[{city.st1.pk}])")
        is False
    )


@pytest.mark.django_db(transaction=True)
def test_site_page_has_a_small_map(phone_page, city):  # noqa: F811
    page = phone_page
    page.goto(f"/places/sites/{city.st2.pk}/")
    expect(page.locator("#site-minimap")).to_have_attribute("data-ready", "1")
    expect(page.locator("#site-minimap .leaflet-tooltip")).to_have_text("江益村实践站")


@pytest.mark.django_db(transaction=True)
def test_uncovered_villages_and_the_greedy_suggestion_are_drawn(desktop_page, city):  # noqa: F811
    # 水口村 gets 5,000 residents 20 km from any site: an uncovered village.
    for v, lat, lng in (
        (city.v1, 29.10, 115.60),
        (city.v2, 29.25, 115.80),
        (city.v3, 29.26, 115.82),
    ):
        v.latitude, v.longitude = lat, lng
        v.save()
    PopulationPoint.objects.create(region=city.v1, latitude=29.10, longitude=115.60, weight=5000)
    run_rollup()
    page = desktop_page
    page.goto(f"/insights/map/?region={city.city.pk}")
    expect(page.locator("#site-map")).to_have_attribute("data-ready", "1")
    expect(page.locator("#site-map")).to_have_attribute("data-gaps", "1")
    expect(page.locator("#site-map")).to_have_attribute("data-suggestions", "2")
    assert page.evaluate("window.xinfengMap.gaps.getLayers().length") == 1
    page.evaluate("window.xinfengMap.gaps.getLayers()[0].openPopup()")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("水口村")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("5,200")
    page.evaluate("window.xinfengMap.map.closePopup()")
    expect(page.locator(".leaflet-popup-content")).to_have_count(0)
    page.evaluate("window.xinfengMap.suggest.getLayers()[0].openPopup()")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("5,000")
    expect(page.get_by_test_id("walk-note")).to_contain_text("贪心算法")
    # The layer switch hides the gaps.
    page.get_by_label("15分钟圈未覆盖的村").uncheck()
    assert page.evaluate("window.xinfengMap.map.hasLayer(window.xinfengMap.gaps)") is False


@pytest.mark.django_db(transaction=True)
def test_configured_tiles_are_requested_and_markers_use_gcj02(desktop_page, city, settings):  # noqa: F811
    settings.MAP_TILE_URL = "http://tiles.test/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "测试底图"
    settings.MAP_TILE_CRS = "gcj02"
    cache.clear()
    requested = []

    def serve_tile(route):
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG_1X1)

    page = desktop_page
    page.route("http://tiles.test/**", serve_tile)
    page.goto("/insights/map/")
    expect(page.locator("#site-map")).to_have_attribute("data-ready", "1")
    expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()
    assert requested and all(
        re.match(r"http://tiles\.test/\d+/\d+/\d+\.png$", u) for u in requested
    )
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("测试底图")
    assert "未配置底图" not in page.content()
    site = Site.objects.get(pk=city.st1.pk)
    want = wgs84_to_gcj02(site.latitude, site.longitude)
    got = page.evaluate(
        f"(() => {{ var p = window.xinfengMap.markers[{city.st1.pk}].getLatLng(); return [p.lat, p.lng]; }})()"
    )
    assert got == pytest.approx([want[0], want[1]], abs=1e-6)
    cache.clear()
