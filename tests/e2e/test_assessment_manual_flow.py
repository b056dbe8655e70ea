"""Issue 15's manual scoring in the browser: an inspector picks the township they inspect,
records a site-visit result with evidence and notes; the assessed township reads it and
adds its statement (it may not confirm); the level above reads both and confirms; the
confirmed score then counts in the township's stored result."""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.models import ManualScore, Node, Result
from xinfeng.assessment.services import manual, schemes
from xinfeng.assessment.services.results import results_compute

from .conftest import login


@pytest.mark.django_db(transaction=True)
def test_inspector_records_township_states_level_above_confirms(
    desktop_page, tree, owner, tmp_path
):
    city_staff = grant(
        UserFactory(username="city-staff", display_name="市中心王干事"),
        Role.CENTER_ADMIN,
        tree.city,
    )
    s = schemes.default_scheme_build(actor=city_staff, region=tree.city, year=2026)
    visit = Node.objects.get(scheme=s, code="5.2.1")  # township, site visit, yes/no
    inspector = UserFactory(username="inspector", display_name="督查员老陈")
    manual.inspector_assign(actor=city_staff, scheme=s, user=inspector, region=tree.t1)
    evidence = tmp_path / "visit.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    page = desktop_page

    # The inspector: the units they may score, the township's form, the visit result.
    login(page, "inspector")
    page.goto(f"/assessment/schemes/{s.pk}/manual/units/?level=township")
    expect(page.locator("main")).not_to_contain_text(tree.t2.display_name)  # not theirs
    page.click(f"text={tree.t1.display_name}")
    expect(page.locator("h1")).to_contain_text(tree.t1.display_name)
    form = page.locator("form[enctype='multipart/form-data']")
    form.locator("select[name=node]").select_option(str(visit.pk))
    form.locator("input[name=period]").fill("2026-Q2")
    form.locator("input[name=done]").check()
    form.locator("[name=note]").fill("现场查看：一把手例会记录齐全")
    form.locator("input[name=evidence]").set_input_files(str(evidence))
    form.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("现场查看：一把手例会记录齐全")
    expect(page.locator("body")).to_contain_text("待确认")
    score = ManualScore.objects.get(node=visit, region=tree.t1, period="2026-Q2")
    assert score.inspector == inspector and score.score == visit.points
    assert score.evidence.name.endswith(".pdf")
    url = f"/assessment/manual/{score.pk}/"
    assert page.url.endswith(url)
    expect(page.locator("dd a", has_text="查看")).to_have_attribute("href", score.evidence.url)
    page.context.clear_cookies()

    # The assessed township: reads it, adds its statement, has no confirm button.
    login(page, owner.username)
    page.goto(url)
    expect(page.locator("body")).to_contain_text("督查员老陈")
    expect(page.get_by_role("button", name="确认评分")).to_have_count(0)
    page.fill("textarea[name=statement]", "会议纪要原件已补充上传")
    page.click("text=提交说明")
    expect(page.locator("body")).to_contain_text("会议纪要原件已补充上传")
    assert page.request.post(f"{url}confirm").status == 403  # never its own score
    page.context.clear_cookies()

    # The level above: reads score and statement, confirms.
    login(page, "city-staff")
    page.goto(url)
    expect(page.locator("body")).to_contain_text("会议纪要原件已补充上传")
    page.get_by_role("button", name="确认评分").click()
    expect(page.locator("body")).to_contain_text("已确认")
    score.refresh_from_db()
    assert score.status == "confirmed" and score.confirmed_by == city_staff
    assert score.statement == "会议纪要原件已补充上传"

    # The confirmed score counts in the township's result for the quarter.
    results_compute(scheme=s, period_key="2026-Q2")
    line = Result.objects.get(scheme=s, region=tree.t1, level="township").lines.get(node=visit)
    assert line.score == visit.points and not line.pending
