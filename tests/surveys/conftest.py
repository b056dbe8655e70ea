"""Shared fixtures of the surveys tests.

Sections: PART 1 (authoring, XLSForm, answering, paper entry) below; PART 2 (results,
clusters, needs) may add its own section after it."""

import io
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from xinfeng.accounts.choices import Role
from xinfeng.regions.choices import RegionLevel
from xinfeng.surveys.choices import QuestionType, SurveyKind
from xinfeng.surveys.services import authoring

from ..factories import RegionFactory, UserFactory, grant

# --- PART 1: authoring, XLSForm, answering, paper entry ----------------------------------

QUESTIONS = [
    {
        "name": "need",
        "label_zh": "您最需要哪类服务？",
        "label_en": "Which service do you need most?",
        "qtype": QuestionType.SINGLE,
        "required": True,
        "choices": [
            {"key": "old", "label_zh": "一老（养老助老）", "label_en": "Elderly care"},
            {"key": "young", "label_zh": "一小（儿童关爱）", "label_en": "Children"},
            {"key": "health", "label_zh": "健康义诊", "label_en": "Health"},
        ],
    },
    {
        "name": "old_how",
        "label_zh": "老人最需要什么帮助？",
        "qtype": QuestionType.MULTIPLE,
        "relevant": "${need} = 'old'",
        "required": True,
        "choices": [
            {"key": "meal", "label_zh": "助餐"},
            {"key": "clean", "label_zh": "助洁"},
            {"key": "visit", "label_zh": "上门探访"},
        ],
    },
    {
        "name": "sat",
        "label_zh": "对本村服务的满意度",
        "qtype": QuestionType.RATING,
        "required": True,
    },
    {"name": "people", "label_zh": "家中常住人数", "qtype": QuestionType.INTEGER},
    {"name": "wish", "label_zh": "您还有什么建议？", "qtype": QuestionType.TEXT},
]


def good_answers(**over) -> dict:
    answers = {
        "need": "old",
        "old_how": ["meal", "visit"],
        "sat": 4,
        "people": 3,
        "wish": "多办讲座",
    }
    answers.update(over)
    return answers


@pytest.fixture
def sv(tree, owner, outsider, resident, sysadmin):
    """The surveys world on the shared ``tree``: a township survey of 苏家垱乡实践所
    (covering 苏家垱乡, published, five questions) and staff on every side of it.

    - ``owner``: institute admin of 苏家垱乡 (manages it);
    - ``station``: station operator of 水口村 (enters papers, may not edit);
    - ``center``: center admin of the city (manages it, city-wide);
    - ``outsider``: institute admin of 江益镇 (another township: 404);
    - ``resident``: a resident of 水口村 (no staff role: 403 on staff pages).
    """
    station = grant(UserFactory(username="station"), Role.STATION_OPERATOR, tree.v1)
    center = grant(UserFactory(username="center"), Role.CENTER_ADMIN, tree.city)
    v1b = RegionFactory(
        name="新塘村", code="360482201201", level=RegionLevel.VILLAGE, parent=tree.t1
    )
    survey = authoring.survey_create(
        actor=owner, site=tree.inst1, kind=SurveyKind.NEEDS, title="苏家垱乡问需调查",
        regions=[tree.t1],
    )  # fmt: skip
    authoring.survey_set_questions(actor=owner, survey=survey, questions=QUESTIONS)
    authoring.survey_publish(actor=owner, survey=survey)
    survey.refresh_from_db()
    return SimpleNamespace(
        tree=tree, survey=survey, owner=owner, station=station, center=center,
        outsider=outsider, resident=resident, sysadmin=sysadmin, v1b=v1b,
    )  # fmt: skip


def xlsform(survey_rows, choices_rows=None, settings_rows=None, *, sheet_names=None) -> bytes:
    """An XLSForm workbook built in the test (rows include the header)."""
    wb = Workbook()
    ws = wb.active
    ws.title = (sheet_names or {}).get("survey", "survey")
    for r in survey_rows:
        ws.append(r)
    if choices_rows is not None:
        c = wb.create_sheet("choices")
        for r in choices_rows:
            c.append(r)
    if settings_rows is not None:
        s = wb.create_sheet("settings")
        for r in settings_rows:
            s.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SURVEY_HEADER = ["type", "name", "label::中文 (zh)", "label::English (en)", "required", "relevant", "appearance", "parameters"]  # fmt: skip
CHOICES = [
    ["list_name", "name", "label::中文 (zh)", "label::English (en)"],
    ["need", "old", "一老", "Elderly"],
    ["need", "young", "一小", "Children"],
    ["need", "law", "法律", "Law"],
]
GOOD_FORM_ROWS = [
    SURVEY_HEADER,
    ["start", "start", "", "", "", "", "", ""],
    ["select_one need", "need", "最需要的服务", "Most needed", "yes", "", "", ""],
    ["select_multiple need", "also", "还需要", "Also", "", "${need} != ''", "", ""],
    ["range", "sat", "满意度", "Satisfaction", "yes", "", "", "start=1 end=5 step=1"],
    ["integer", "people", "常住人数", "People", "", "", "", ""],
    ["decimal", "income", "月收入（千元）", "Income", "", "", "", ""],
    ["text", "wish", "建议", "Ideas", "", "${sat} <= 3", "", ""],
    ["text", "story", "详细说说", "Tell us", "", "", "multiline", ""],
    ["text", "where", "住在哪个村", "Village", "", "", "village-picker", ""],
    ["image", "photo", "拍张照片", "Photo", "", "", "", ""],
]
GOOD_SETTINGS = [["form_title", "form_id", "version"], ["江益镇问需", "jy_needs", "1"]]


@pytest.fixture
def good_form() -> bytes:
    return xlsform(GOOD_FORM_ROWS, CHOICES, GOOD_SETTINGS)
