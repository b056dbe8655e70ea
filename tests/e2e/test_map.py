"""The practice-site map in Chromium: markers for every open site, a popup with the
site's hours and link, the offline region sketch, and the small map on a site page."""

import pytest
from playwright.sync_api import expect

from tests.insights.conftest import city  # noqa: F401  (fixture)
from xinfeng.insights.rollup import run_rollup
from xinfeng.places.models import Site


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
