"""Figures that agree, as a leader sees them on a desktop: home, the project menu and the
dashboard count projects the same way and say what they count; the ranking by township
has a 市直 row for the city's own sites and activities, and its rows add up to 合计, which
is the headline above it."""

import re

import pytest
from playwright.sync_api import expect

from tests.insights.conftest import city, leader  # noqa: F401  (fixtures)
from xinfeng.insights.rollup import run_rollup

from .conftest import login


def _n(text: str) -> int:
    return int(text.replace(",", "").strip())


@pytest.mark.django_db(transaction=True)
def test_leader_sees_figures_that_add_up(desktop_page, city, leader):  # noqa: F811
    run_rollup()
    page = desktop_page
    login(page, "leader")
    page.goto("/")
    tile = page.get_by_test_id("projects-count")
    expect(tile).to_have_text("3 个项目，其中 2 个可点单")  # one declared, one retired

    page.get_by_role("link", name="服务项目").first.click()
    expect(page.get_by_test_id("menu-count")).to_have_text("共 2 个运行中、可点单的项目")

    page.goto(f"/insights/dashboard/{city.city.pk}/")
    kpi = page.locator('[data-kpi="projects"]')
    expect(kpi).to_contain_text("志愿服务项目（不含已停止）")
    expect(kpi.locator(".kpi-value")).to_have_text("3")
    expect(page.locator('[data-kpi="projects_active"] .kpi-value')).to_have_text("2")

    table = page.locator("table.rank-table").first
    own = table.locator("tr.rank-own")
    expect(own.locator("th")).to_have_text("市直")
    total = table.locator("tr.rank-total td")
    # Columns: #, (name), sites, volunteers, hours, activities, audience, orders, …
    rows = table.locator("tbody tr")
    for col, kpi_key in ((1, "sites_total"), (4, "activities"), (5, "audience"), (6, "orders")):
        cells = [_n(rows.nth(i).locator("td").nth(col).inner_text()) for i in range(rows.count())]
        assert sum(cells) == _n(total.nth(col).inner_text()), col
        headline = page.locator(f'[data-kpi="{kpi_key}"] .kpi-value').inner_text()
        assert _n(headline) == sum(cells), kpi_key
    # The city center's online lecture (300 viewers) belongs to no township: it is in 市直.
    assert _n(own.locator("td").nth(5).inner_text()) >= 300
    assert re.search(r"\d", total.nth(5).inner_text())
