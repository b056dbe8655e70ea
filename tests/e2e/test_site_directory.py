import pytest
from playwright.sync_api import expect


@pytest.mark.django_db(transaction=True)
def test_resident_finds_a_station_by_search_on_a_phone(phone_page, tree):
    page = phone_page
    rows_requests = []
    page.on(
        "request",
        lambda r: rows_requests.append(r.url) if r.headers.get("hx-request") == "true" else None,
    )
    page.goto("/places/sites/")
    expect(page.locator("h1")).to_have_text("实践阵地")
    expect(page.locator("#site-rows .list-item")).to_have_count(5)
    page.fill("input[name=q]", "水口")
    expect(page.locator("#site-rows .list-item")).to_have_count(1)
    # Leaving the search box fetches nothing more: a second request on its "change", with
    # its pushed URL, raced the tap on a result (data-quiet-change).
    fetched = len(rows_requests)
    page.locator("input[name=q]").blur()
    page.wait_for_timeout(600)
    assert len(rows_requests) == fetched == 1, rows_requests
    page.click("text=水口村实践站")
    expect(page.locator("h1")).to_have_text("水口村实践站")


def row_count(page):
    return page.locator("#site-rows .list-item")


@pytest.mark.django_db(transaction=True)
def test_region_cascade_narrows_level_by_level_on_a_phone(phone_page, tree):
    """Changing a select of the cascade reloads the page one level deeper (JS); the other
    filters still refresh the rows only (htmx) and keep the chosen region."""
    page = phone_page
    page.goto("/places/sites/")
    expect(page.locator("select[name=region]")).to_have_count(1)
    page.get_by_label("乡镇/街道").select_option(label="苏家垱乡")
    expect(page.get_by_label("村/社区")).to_be_visible()
    expect(row_count(page)).to_have_count(2)  # the institute and its village's station
    expect(page.get_by_label("村/社区").locator("option")).to_have_text(["全部", "水口村"])
    page.get_by_label("村/社区").select_option(label="水口村")
    expect(page.get_by_label("村/社区")).to_have_value(str(tree.v1.pk))
    expect(row_count(page)).to_have_count(1)
    # Another township: the village below is dropped, its villages are offered instead.
    page.get_by_label("乡镇/街道").select_option(label="江益镇")
    expect(page.get_by_label("村/社区").locator("option")).to_have_text(["全部", "江益村"])
    expect(row_count(page)).to_have_count(2)
    assert f"region={tree.v1.pk}" not in page.url  # the stale village is not sent
    page.get_by_label("层级").select_option("station")
    expect(row_count(page)).to_have_count(1)
    expect(page.locator("#site-rows")).to_contain_text("江益村实践站")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_region_cascade_works_without_javascript(browser, live_server, tree):
    context = browser.new_context(
        java_script_enabled=False, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    try:
        page.goto(f"/places/sites/?region={tree.v1.pk}")
        expect(row_count(page)).to_have_count(1)
        # The stale village select still posts 水口村; the view takes the new township.
        page.get_by_label("乡镇/街道").select_option(label="江益镇")
        page.get_by_role("button", name="筛选").click()
        expect(row_count(page)).to_have_count(2)
        expect(page.get_by_label("村/社区").locator("option")).to_have_text(["全部", "江益村"])
    finally:
        context.close()
