"""Issue 13 (PART 1) in the browser: staff import a survey from an XLSForm file and publish
it; a resident answers it anonymously on a 390 px phone (show-if hides a question, progress
survives a reload); station staff enter a paper answer with the keyboard only."""

import pytest
from playwright.sync_api import expect

from tests.surveys.conftest import (
    sv,  # noqa: F401 - fixture used below
    xlsform,
)
from xinfeng.surveys.models import Response, Survey

from .conftest import PHONE, login

FORM = xlsform(
    [
        [
            "type",
            "name",
            "label::中文 (zh)",
            "label::English (en)",
            "required",
            "relevant",
            "parameters",
        ],
        ["select_one need", "need", "您最需要哪类服务？", "Most needed", "yes", ""],
        [
            "select_multiple how",
            "old_how",
            "老人需要什么帮助？",
            "Help for elders",
            "yes",
            "${need} = 'old'",
        ],
        ["range", "sat", "满意度", "Satisfaction", "yes", "", "start=1 end=5 step=1"],
        ["integer", "people", "家中常住人数", "People at home", "", ""],
        ["text", "wish", "您的建议", "Ideas", "", ""],
    ],
    [
        ["list_name", "name", "label::中文 (zh)", "label::English (en)"],
        ["need", "old", "一老", "Elderly"],
        ["need", "young", "一小", "Children"],
        ["need", "law", "法律", "Law"],
        ["how", "meal", "助餐", "Meals"],
        ["how", "visit", "探访", "Visits"],
    ],
    [["form_title", "form_id"], ["水口村问需", "sk_needs"]],
)


@pytest.mark.django_db(transaction=True)
def test_import_answer_on_phone_and_enter_paper_by_keyboard(browser, live_server, sv, tmp_path):  # noqa: F811
    # Staff import the XLSForm and publish it.
    path = tmp_path / "needs.xlsx"
    path.write_bytes(FORM)
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    staff = ctx.new_page()
    login(staff, "owner")
    staff.goto("/surveys/import/")
    staff.set_input_files("input[name=file]", str(path))
    staff.select_option("select[name=kind]", "needs")
    staff.check(f"input[name=site][value='{sv.tree.inst1.pk}']")
    staff.click("form.card button[type=submit]")
    errs = staff.locator(".field-error, .form-error").all_inner_texts()
    assert errs == [], errs
    expect(staff.locator("h1")).to_contain_text("水口村问需")
    expect(staff.locator("[data-testid=question-list] li")).to_have_count(5)
    staff.get_by_role("button", name="发布").click()
    expect(staff.locator("[data-testid=survey-status]")).to_have_text("收集中")
    survey = Survey.objects.get(title="水口村问需")
    ctx.close()

    # A resident answers on a phone, anonymously, from the QR link of 水口村.
    phone_ctx = browser.new_context(**PHONE, base_url=live_server.url)
    phone = phone_ctx.new_page()
    phone.goto(f"/surveys/s/{survey.token}/?c=qr&v={sv.tree.v1.pk}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    follow_up = phone.locator("#q-old_how")
    expect(follow_up).to_be_hidden()
    phone.get_by_label("一老").check()
    expect(follow_up).to_be_visible()  # show-if: only when 一老 is chosen
    phone.get_by_label("助餐").check()
    phone.locator("#q-sat").get_by_label("4").check()
    phone.fill("input[name=people]", "3")
    phone.reload()  # progress kept on the phone
    expect(phone.get_by_label("助餐")).to_be_checked()
    expect(phone.locator("input[name=people]")).to_have_value("3")
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("[data-testid=thanks]")).to_contain_text("提交成功")
    r = Response.objects.get(survey=survey)
    assert r.respondent is None and r.channel == "qr" and r.village_id == sv.tree.v1.pk
    assert (
        phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('xf-survey')).length")
        == 0
    )
    phone_ctx.close()

    # Station staff enter a paper form: keyboard only.
    st_ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    st = st_ctx.new_page()
    login(st, "station")
    st.goto(f"/surveys/{survey.pk}/paper/")
    village = st.locator("select[name=village]")
    expect(village).to_be_focused()
    st.keyboard.press("ArrowDown")  # the only village of the station
    st.keyboard.press("Tab")  # age band
    for _i in range(5):
        st.keyboard.press("ArrowDown")  # 60–69
    st.keyboard.press("Tab")  # guardian box
    st.keyboard.press("Tab")  # sex
    st.keyboard.press("ArrowDown")  # 女
    st.keyboard.press("Tab")  # into question 1
    st.keyboard.press("2")  # 一小: picks option 2 and moves on (old_how hidden)
    st.keyboard.press("4")  # rating 4
    st.keyboard.type("5")  # people
    st.keyboard.press("Tab")
    st.keyboard.type("多办亲子活动")
    st.keyboard.press("Enter")
    expect(st.locator("[data-testid=entered-count]")).to_contain_text("1")
    expect(st.locator("select[name=village]")).to_be_focused()  # the next blank form
    paper = Response.objects.get(survey=survey, is_proxy=True)
    assert paper.entered_by == sv.station and paper.village_id == sv.tree.v1.pk
    assert paper.age_band == "60_69" and paper.sex == "f"
    got = {(a.question.name, a.choice, a.number, a.text) for a in paper.answers.all()}
    assert got == {
        ("need", "young", None, ""),
        ("sat", "", 4.0, ""),
        ("people", "", 5.0, ""),
        ("wish", "", None, "多办亲子活动"),
    }
    st_ctx.close()
