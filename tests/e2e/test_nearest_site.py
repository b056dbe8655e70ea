"""离我最近 on a 390 px phone: a resident finds the nearest practice sites, with distance and
walking time, on the site directory (location allowed) and on the map (location refused:
their home village is used instead)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, login
from tests.factories import UserFactory

# 0.0045° north of here is ~500 m (7 minutes at the circle's 4.5 km/h).
HERE = {"latitude": 29.25, "longitude": 115.8}


@pytest.fixture
def placed(tree):
    for site, dlat in (
        (tree.st2, 0.0045),
        (tree.st1, 0.0100),
        (tree.inst1, 0.0300),
        (tree.inst2, 0.2000),
        (tree.center, 0.5000),
    ):
        site.latitude, site.longitude = HERE["latitude"] + dlat, HERE["longitude"]
        site.save()
    # 水口村 (home of the resident below) lies right next to 水口村实践站.
    tree.v1.latitude, tree.v1.longitude = HERE["latitude"] + 0.0100, HERE["longitude"] + 0.001
    tree.v1.save()
    return tree


@pytest.mark.django_db(transaction=True)
def test_directory_sorts_by_distance_from_my_phone(browser, live_server, placed):
    context = browser.new_context(
        **PHONE,
        base_url=live_server.url,
        geolocation=HERE,
        permissions=["geolocation"],
    )
    page = context.new_page()
    try:
        page.goto("/places/sites/")
        page.get_by_role("link", name="离我最近").click()
        page.wait_for_url("**near=1**")
        rows = page.locator("ol.list-near > li")
        expect(rows).to_have_count(5)
        expect(rows.nth(0)).to_contain_text("江益村实践站")
        expect(rows.nth(0)).to_contain_text("500 米")
        expect(rows.nth(0)).to_contain_text("步行约 7 分钟")
        expect(rows.nth(1)).to_contain_text("水口村实践站")
        expect(page.get_by_test_id("near-origin")).to_contain_text("按您当前的位置计算")
        # Nothing is cut off on the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # A filter keeps the distance order.
        page.select_option("#f-level", "institute")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("苏家垱乡实践所")
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_map_uses_my_home_village_when_i_refuse_location(browser, live_server, placed):
    UserFactory(username="near-resident", home_region=placed.v1)
    context = browser.new_context(**PHONE, base_url=live_server.url)  # no permission
    page = context.new_page()
    try:
        login(page, "near-resident")
        page.goto("/insights/map/")
        expect(page.locator("#site-map")).to_have_attribute("data-ready", "1")
        page.get_by_role("button", name="离我最近").click()
        expect(page.locator("#site-map")).to_have_attribute("data-near", "5", timeout=20000)
        panel = page.locator("#near-panel")
        expect(panel).to_be_visible()
        expect(panel).to_contain_text("按您的居住地（水口村）计算")
        first = page.locator("#near-list > li").first
        expect(first).to_contain_text("水口村实践站")
        expect(first).to_contain_text("步行约")
        expect(page.locator(".leaflet-tooltip")).to_contain_text(["您的居住地：水口村"])
    finally:
        context.close()
