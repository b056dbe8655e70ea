"""Issue 15 in the browser: city staff build a small scheme on the page (an indicator, a
content, an automatic standard), publish it, compute a period, open a township's result
(its figure links to the ledger behind it) and export the printable PDF."""

import pytest
from playwright.sync_api import expect

from tests.assessment.factories import posted_allocation, posted_budget, posted_expenditure
from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.models import Result, Scheme

from .conftest import login


@pytest.mark.django_db(transaction=True)
def test_build_a_scheme_run_a_period_open_a_report_export_pdf(desktop_page, tree):
    grant(UserFactory(username="city-staff"), Role.CENTER_ADMIN, tree.city)
    posted_budget(tree, amount_fen=1_000_000)
    posted_allocation(tree, tree.t1, amount_fen=400_000)
    posted_expenditure(tree, tree.t1, amount_fen=180_000)
    page = desktop_page
    login(page, "city-staff")

    page.goto("/assessment/")
    page.fill("input[name=year]", "2026")
    page.fill("input[name=title]", "经费考核")
    page.click("form[action='/assessment/schemes/new'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("经费考核")
    scheme = Scheme.objects.get(title="经费考核")

    def add(**fields):
        form = page.locator(f"form[action='/assessment/schemes/{scheme.pk}/nodes']")
        for name, value in fields.items():
            el = form.locator(f"[name={name}]")
            if el.evaluate("e => e.tagName") == "SELECT":
                el.select_option(value)
            else:
                el.fill(value)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()

    add(kind="indicator", code="1", title="经费保障")
    add(kind="content", code="1.1", title="经费执行")
    add(
        kind="standard",
        code="1.1.1",
        title="经费执行率达到 90%",
        points="10",
        level="township",
        method="automatic",
        rule="ratio",
        metric="funding_executed",
        target="90",
    )
    expect(page.locator("table")).to_contain_text("经费执行率达到 90%")
    page.click("text=发布")
    expect(page.locator("body")).to_contain_text("已发布")

    page.click("text=考核结果")
    page.fill("input[name=period]", "2026")
    page.click("text=查看")
    page.click("text=计算本期结果")
    expect(page.locator("table").first).to_contain_text(tree.t1.display_name)
    result = Result.objects.get(scheme=scheme, region=tree.t1)
    assert result.total == 5  # 45 % executed of a 90 % target: half of 10 points

    page.click(f"a[href='/assessment/results/{result.pk}/']")
    expect(page.locator("h1")).to_contain_text(tree.t1.display_name)
    expect(page.locator("a[href^='/assessment/funding/']")).to_have_text("45.00")
    response = page.request.get(f"/assessment/results/{result.pk}/report.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
