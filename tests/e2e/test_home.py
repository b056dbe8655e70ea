"""The home page and the site directory in Chinese and in English on a phone."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_page_in_chinese_on_a_phone(phone_page, tree):
    page = phone_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("新时代文明实践")
    expect(page.locator(".tile").first).to_contain_text("实践阵地")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    assert no_sideways_scroll(page)


def test_home_page_in_english_on_a_phone(phone_page, tree):
    page = phone_page
    page.goto("/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("New Era Civilization Practice")
    expect(page.locator(".tile").first).to_contain_text("Practice sites")
    expect(page.get_by_role("button", name="中文")).to_be_visible()
    assert no_sideways_scroll(page)


def test_site_directory_in_chinese_on_a_phone(phone_page, tree):
    page = phone_page
    page.goto("/places/sites/")
    expect(page.locator("h1")).to_have_text("实践阵地")
    expect(page.get_by_label("搜索")).to_be_visible()
    expect(page.locator("#site-rows")).to_contain_text("共 5 处阵地")
    expect(page.locator("#site-rows .list-item").first).to_contain_text("新时代文明实践中心")
    assert no_sideways_scroll(page)


def test_site_directory_in_english_on_a_phone(phone_page, tree):
    page = phone_page
    page.goto("/places/sites/")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/places/sites/$"))
    expect(page.locator("h1")).to_have_text("Practice sites")
    expect(page.locator("#site-rows")).to_contain_text("5 sites")
    page.get_by_label("Level").select_option("station")
    expect(page.locator("#site-rows .list-item")).to_have_count(2)
    expect(page.locator("#site-rows")).to_contain_text("Civilization Practice Station")
    assert no_sideways_scroll(page)


def test_site_page_in_english_shows_venues(phone_page, tree):
    from tests.factories import VenueFactory

    VenueFactory(site=tree.st1, name="多功能厅", capacity=120, uses=["study", "film"])
    page = phone_page
    page.goto(f"/places/sites/{tree.st1.id}/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("水口村实践站")
    expect(page.locator("main")).to_contain_text("Holds 120 people · Theory study、Film screenings")
