"""Issue 13: station staff enter a 20-question paper questionnaire with the keyboard only.
The bar is "under a minute"; a browser test counts key presses instead of timing (no timed
assertions here): at most 2 per question plus the respondent's village, age band and sex,
plus Enter. The elapsed time is printed for the record."""

import time

import pytest
from playwright.sync_api import expect

from tests.surveys.conftest import sv  # noqa: F401 - fixture used below
from xinfeng.surveys.choices import QuestionType, SurveyKind
from xinfeng.surveys.models import Response
from xinfeng.surveys.services import authoring

from .conftest import login

SPECS = (
    [(QuestionType.SINGLE, 5)] * 8
    + [(QuestionType.MULTIPLE, 6)] * 4
    + [(QuestionType.RATING, 0)] * 4
    + [(QuestionType.INTEGER, 0)] * 2
    + [(QuestionType.TEXT, 0)] * 2
)


def _twenty_questions(sv):  # noqa: F811
    survey = authoring.survey_create(
        actor=sv.owner,
        site=sv.tree.inst1,
        kind=SurveyKind.NEEDS,
        title="二十题问需",
        regions=[sv.tree.t1],
    )
    questions = [
        {
            "name": f"q{i + 1}",
            "label_zh": f"第{i + 1}题",
            "qtype": qtype,
            "required": i != len(SPECS) - 1,
            "choices": [{"key": f"c{k}", "label_zh": f"选项{k}"} for k in range(1, n + 1)],
        }
        for i, (qtype, n) in enumerate(SPECS)
    ]
    authoring.survey_set_questions(actor=sv.owner, survey=survey, questions=questions)
    authoring.survey_publish(actor=sv.owner, survey=survey)
    return survey


@pytest.mark.django_db(transaction=True)
def test_twenty_question_paper_form_by_keyboard_in_few_keys(browser, live_server, sv):  # noqa: F811
    survey = _twenty_questions(sv)
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    page = ctx.new_page()
    login(page, "station")
    page.goto(f"/surveys/{survey.pk}/paper/")
    expect(page.locator("select[name=village]")).to_be_focused()
    keys = {"respondent": 0, "questions": 0, "submit": 0}

    def press(part: str, key: str) -> None:
        page.keyboard.press(key)
        keys[part] += 1

    def type_(part: str, text: str) -> None:
        page.keyboard.type(text)
        keys[part] += len(text)

    t0 = time.perf_counter()
    press("respondent", "ArrowDown")  # 水口村, the station's village
    press("respondent", "Tab")  # age band
    for _i in range(5):
        press("respondent", "ArrowDown")  # 60–69
    press("respondent", "Tab")  # guardian box
    press("respondent", "Tab")  # sex
    press("respondent", "ArrowDown")  # 女
    press("respondent", "Tab")  # into question 1
    for i, (qtype, _n) in enumerate(SPECS):
        if qtype == QuestionType.SINGLE:
            press("questions", str(i % 5 + 1))  # picks and moves on
        elif qtype == QuestionType.MULTIPLE:
            press("questions", "2")  # ticks option 2
            press("questions", "Tab")  # past the other boxes to the next question
        elif qtype == QuestionType.RATING:
            press("questions", str(i % 5 + 1))  # picks and moves on
        elif qtype == QuestionType.INTEGER:
            type_("questions", "3")
            press("questions", "Tab")
        elif i != len(SPECS) - 1:
            type_("questions", "义诊")  # two characters (IME input counts as entered text)
        # the last text question is optional: left blank
    press("submit", "Enter")
    try:
        expect(page.locator("[data-testid=entered-count]")).to_contain_text("1")
    except AssertionError:
        errors = page.locator(".field-error, .form-error, .errorlist").all_inner_texts()
        raise AssertionError(f"not saved: {errors}") from None
    elapsed = time.perf_counter() - t0
    expect(page.locator("select[name=village]")).to_be_focused()  # the next blank form
    ctx.close()

    paper = Response.objects.get(survey=survey, is_proxy=True)
    assert paper.entered_by == sv.station and paper.village_id == sv.tree.v1.pk
    assert paper.age_band == "60_69" and paper.sex == "f"
    got = {(a.question.name, a.choice, a.number, a.text) for a in paper.answers.all()}
    expected = set()
    for i, (qtype, _n) in enumerate(SPECS):
        name = f"q{i + 1}"
        if qtype == QuestionType.SINGLE:
            expected.add((name, f"c{i % 5 + 1}", None, ""))
        elif qtype == QuestionType.MULTIPLE:
            expected.add((name, "c2", None, ""))
        elif qtype == QuestionType.RATING:
            expected.add((name, "", float(i % 5 + 1), ""))
        elif qtype == QuestionType.INTEGER:
            expected.add((name, "", 3.0, ""))
        elif i != len(SPECS) - 1:
            expected.add((name, "", None, "义诊"))
    assert got == expected
    assert keys["questions"] <= 2 * len(SPECS), keys
    assert keys["submit"] == 1
    print(f"\npaper entry, 20 questions: {keys} keys, {elapsed:.1f} s in the browser")
