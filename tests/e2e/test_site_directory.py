import pytest
from playwright.sync_api import expect


@pytest.mark.django_db(transaction=True)
def test_resident_finds_a_station_by_search_on_a_phone(phone_page, tree):
    page = phone_page
    page.goto("/places/sites/")
    expect(page.locator("h1")).to_have_text("实践阵地")
    expect(page.locator("#site-rows .list-item")).to_have_count(5)
    page.fill("input[name=q]", "水口")
    expect(page.locator("#site-rows .list-item")).to_have_count(1)
    page.click("text=水口村实践站")
    expect(page.locator("h1")).to_have_text("水口村实践站")
