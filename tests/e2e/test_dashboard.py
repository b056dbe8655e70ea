"""The dashboard in Chromium: the seeded demo city's totals, drill-down into 江益镇, and the
numbers on a phone. The figures are checked against counts taken from the raw tables."""

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from playwright.sync_api import expect

from tests.insights.conftest import city, leader  # noqa: F401  (fixtures)
from tests.insights.raw_counts import raw_figures
from xinfeng.demo.accounts import DEMO_PASSWORD
from xinfeng.insights.rollup import run_rollup
from xinfeng.regions.models import Region

from .conftest import login

# The full demo city is a heavy page on a busy two-core machine: allow a generous wait.
WAIT = 20_000


def kpi(page, key):
    return page.locator(f'[data-kpi="{key}"] .kpi-value')


def expect_figures(page, raw):
    expect(kpi(page, "sites_center")).to_have_text(str(raw["sites_center"]), timeout=WAIT)
    expect(kpi(page, "sites_institute")).to_have_text(str(raw["sites_institute"]), timeout=WAIT)
    expect(kpi(page, "sites_station")).to_have_text(str(raw["sites_station"]), timeout=WAIT)
    expect(kpi(page, "sites_complex")).to_have_text(str(raw["sites_complex"]), timeout=WAIT)
    expect(kpi(page, "volunteers")).to_have_text(
        intcomma(raw["volunteers_registered"]), timeout=WAIT
    )
    expect(kpi(page, "teams_total")).to_have_text(intcomma(raw["teams_total"]), timeout=WAIT)
    expect(kpi(page, "activities")).to_have_text(intcomma(raw["activities_total"]), timeout=WAIT)
    expect(kpi(page, "orders")).to_have_text(intcomma(raw["orders_total"]), timeout=WAIT)
    hours = intcomma(round(raw["service_hours"]))
    expect(kpi(page, "hours")).to_have_text(hours, timeout=WAIT)


@pytest.mark.django_db(transaction=True)
def test_demo_city_totals_and_drill_down_into_jiangyi(demo_city, desktop_page):
    """On the session's demo city (committed, rolled up; this test runs after the other city
    tests, and the database is emptied after it)."""
    city_region = demo_city.city
    jiangyi = Region.objects.get(name="江益镇")
    page = desktop_page
    login(page, "leader", DEMO_PASSWORD)
    page.goto("/insights/")
    expect(page.get_by_test_id("region-name")).to_have_text("共青城市", timeout=WAIT)
    # The report's site totals: 1 center, 56 institutes, 97 stations of which 60 complexes.
    expect(kpi(page, "sites_center")).to_have_text("1", timeout=WAIT)
    expect(kpi(page, "sites_institute")).to_have_text("56", timeout=WAIT)
    expect(kpi(page, "sites_station")).to_have_text("97", timeout=WAIT)
    expect(kpi(page, "sites_complex")).to_have_text("60", timeout=WAIT)
    expect_figures(page, raw_figures(city_region))
    expect(page.locator("#chart-sites canvas")).to_have_count(1, timeout=WAIT)
    expect(page.get_by_test_id("freshness")).to_contain_text("数据更新于", timeout=WAIT)

    page.locator(".rank-table").first.get_by_role("link", name="江益镇").click()
    expect(page.get_by_test_id("region-name")).to_have_text("江益镇", timeout=WAIT)
    expect(page).to_have_url(
        f"{page.url.split('/insights/')[0]}/insights/dashboard/{jiangyi.pk}/", timeout=WAIT
    )
    expect_figures(page, raw_figures(jiangyi))
    # And back up through the breadcrumb.
    page.get_by_role("navigation", name="上级区划").get_by_role("link", name="共青城市").click()
    expect(page.get_by_test_id("region-name")).to_have_text("共青城市", timeout=WAIT)
    # Let the page's last requests finish: the database is emptied right after this test
    # (it ends the city block), and the live server must hold no connection then.
    page.wait_for_load_state("networkidle", timeout=WAIT)


@pytest.mark.django_db(transaction=True)
def test_dashboard_numbers_fit_a_phone(phone_page, city, leader):  # noqa: F811
    run_rollup()
    page = phone_page
    login(page, "leader")
    page.goto(f"/insights/dashboard/{city.city.pk}/")
    stations = str(raw_figures(city.city)["sites_station"])
    expect(kpi(page, "sites_station")).to_have_text(stations, timeout=WAIT)
    expect(kpi(page, "sites_station")).to_be_visible(timeout=WAIT)
    box = kpi(page, "sites_station").bounding_box()
    assert box["height"] >= 24  # big enough to read
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    # Drill down from the ranking on the phone as well.
    page.locator(".rank-table").first.get_by_role("link", name="江益镇").click()
    expect(page.get_by_test_id("region-name")).to_have_text("江益镇", timeout=WAIT)
