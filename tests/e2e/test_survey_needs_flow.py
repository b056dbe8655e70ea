"""Issue 13 (PART 2) in the browser: township staff open a survey's results and see the
ECharts charts drawn, cluster the free-text needs, mark a cluster as a need, declare a
service project from it in one click, and find "来自三问" with the link back on the
project page."""

import pytest
from playwright.sync_api import expect

from tests.surveys.needs_helpers import fill, make_survey
from xinfeng.surveys.models import Need

from .conftest import login


@pytest.mark.django_db(transaction=True)
def test_results_charts_cluster_need_project(browser, live_server, tree, owner):
    survey = make_survey(tree.inst1)
    drawn = fill(survey, [tree.v1], 60, seed=3)
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    login(page, "owner")

    page.goto(f"/surveys/{survey.pk}/results/")
    expect(page.locator("h1")).to_have_text("调查结果")
    # every choice and rating question gets a chart the script has drawn (an SVG inside)
    expect(page.locator(".survey-chart[data-drawn='1']")).to_have_count(3)
    expect(page.locator("#chart-0 svg")).to_be_visible()

    page.click("text=需求聚类")
    page.click("#recluster")
    rows = page.locator("#clusters tbody tr")
    expect(rows).to_have_count(len({r["theme"] for r in drawn}))
    rows.filter(has_text="法律").locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("法律")
    page.fill("input[name=title]", "法律咨询进村")
    page.click("#mark-need")
    expect(page.locator("h1")).to_contain_text("法律咨询进村")
    need = Need.objects.get(title="法律咨询进村")
    people = sum(1 for r in drawn if r["theme"] == "law")

    page.click("#declare-project")
    expect(page.locator("#project-sanwen")).to_contain_text(
        f"来自三问：{people} 位群众、1 个村提出"
    )
    page.locator("#project-sanwen a", has_text="法律咨询进村").click()
    expect(page).to_have_url(f"{live_server.url}/surveys/needs/{need.pk}/")
    expect(page.locator("#need-projects")).to_contain_text("法律咨询进村")
    context.close()
