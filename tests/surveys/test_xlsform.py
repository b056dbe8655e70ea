"""XLSForm import (with pyxform's check) and export: what a township drafts in Excel works
as it is; what we cannot hold is refused by sheet and row; export imports back the same."""

import pytest
from django.test import Client

from xinfeng.core.errors import ValidationFailed
from xinfeng.surveys.choices import QuestionType, SurveyKind
from xinfeng.surveys.models import Survey
from xinfeng.surveys.services.xlsform import (
    MAX_XLSFORM_BYTES,
    parse_xlsform,
    survey_import_xlsform,
)
from xinfeng.surveys.services.xlsform_export import xlsform_bytes

from .conftest import CHOICES, GOOD_FORM_ROWS, QUESTIONS, SURVEY_HEADER, xlsform


def problems_of(content: bytes) -> str:
    with pytest.raises(ValidationFailed) as exc:
        parse_xlsform(content)
    return "\n".join(getattr(exc.value, "problems", [str(exc.value.detail)]))


def test_a_good_form_gives_every_type_labels_in_both_languages_and_notes_the_metadata(good_form):
    form = parse_xlsform(good_form)
    assert form.title == "江益镇问需"
    assert [(q["name"], q["qtype"]) for q in form.questions] == [
        ("need", QuestionType.SINGLE),
        ("also", QuestionType.MULTIPLE),
        ("sat", QuestionType.RATING),
        ("people", QuestionType.INTEGER),
        ("income", QuestionType.DECIMAL),
        ("wish", QuestionType.TEXT),
        ("story", QuestionType.LONG_TEXT),
        ("where", QuestionType.VILLAGE),
        ("photo", QuestionType.PHOTO),
    ]
    need = form.questions[0]
    assert need["label_zh"] == "最需要的服务" and need["label_en"] == "Most needed"
    assert need["required"] is True
    assert [c["key"] for c in need["choices"]] == ["old", "young", "law"]
    assert form.questions[5]["relevant"] == "${sat} <= 3"
    assert len(form.notices) == 1 and "第 2 行" in form.notices[0] and "start" in form.notices[0]


def test_a_form_without_a_survey_sheet_is_refused_naming_it():
    content = xlsform(GOOD_FORM_ROWS, CHOICES, sheet_names={"survey": "题目"})
    assert "缺少 survey 工作表" in problems_of(content)


def test_a_select_without_a_choices_sheet_names_the_row():
    assert "survey 表第 3 行" in problems_of(xlsform(GOOD_FORM_ROWS[:3]))


def test_an_unknown_type_is_refused_naming_the_row():
    rows = [
        SURVEY_HEADER,
        ["integer", "a", "甲", "", "", "", "", ""],
        ["bogus", "b", "乙", "", "", "", "", ""],
    ]
    text = problems_of(xlsform(rows))
    assert "survey 表第 3 行" in text and "不认识的题型“bogus”" in text


@pytest.mark.parametrize(
    ("relevant", "words"),
    [
        ("${nope} = 'x'", "不存在或不在本题之前"),
        ("${later} = 1", "不存在或不在本题之前"),
        ("${a} = ", "选项值"),
        ("count-selected(${a}) > 1", "不支持的函数"),
    ],
)
def test_bad_show_if_logic_is_refused_naming_the_row(relevant, words):
    rows = [
        SURVEY_HEADER,
        ["integer", "a", "甲", "", "", "", "", ""],
        ["text", "b", "乙", "", "", relevant, "", ""],
        ["text", "later", "丙", "", "", "", "", ""],
    ]
    text = problems_of(xlsform(rows))
    assert "survey 表第 3 行" in text and "relevant" in text and words in text


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (["begin_repeat", "r", "重复", "", "", "", "", ""], "重复组"),
        (["calculate", "c", "计算", "", "", "", "", ""], "计算字段"),
        (["select_one_from_file villages.csv", "v", "村", "", "", "", "", ""], "外部选项文件"),
        (["date", "d", "日期", "", "", "", "", ""], "日期"),
        (["geopoint", "g", "位置", "", "", "", "", ""], "定位点"),
        (["range", "r5", "打分", "", "", "", "", "start=0 end=10 step=1"], "1–5 分"),
    ],
)
def test_unsupported_features_are_refused_by_row_never_dropped(row, words):
    rows = [SURVEY_HEADER, ["integer", "a", "甲", "", "", "", "", ""], row]
    text = problems_of(xlsform(rows))
    assert "survey 表第 3 行" in text and words in text


def test_a_constraint_column_is_refused_by_row():
    rows = [["type", "name", "label", "constraint"], ["integer", "age", "年龄", ". < 150"]]
    text = problems_of(xlsform(rows))
    assert "survey 表第 2 行" in text and "约束条件" in text


def test_a_duplicate_choice_names_its_row_on_the_choices_sheet():
    choices = CHOICES + [["need", "old", "又一个", "Again"]]
    text = problems_of(xlsform(GOOD_FORM_ROWS[:3], choices))
    assert "choices 表第 5 行" in text and "重复" in text


def test_a_formula_cell_is_refused():
    rows = [["type", "name", "label"], ["text", "a", "=1+1"]]
    assert "公式" in problems_of(xlsform(rows))


def test_a_file_that_is_not_xlsx_is_refused():
    assert "xlsx" in problems_of(b"type,name,label\ntext,a,A\n")


def test_an_oversized_upload_is_413():
    with pytest.raises(ValidationFailed) as exc:
        parse_xlsform(b"PK" + b"0" * MAX_XLSFORM_BYTES)
    assert exc.value.status == 413 and "太大" in str(exc.value.detail)


def test_export_imports_back_to_the_same_survey(sv):
    content = xlsform_bytes(sv.survey)
    form = parse_xlsform(content)
    assert form.title == sv.survey.title
    keys = ("name", "label_zh", "label_en", "qtype", "required", "relevant", "choices")
    original = [
        {k: getattr(q, k) for k in keys}
        for q in sv.survey.current_version.questions.order_by("position")
    ]
    assert [{k: q[k] for k in keys} for q in form.questions] == original
    # ...and as a second survey, question by question
    copy, _notices = survey_import_xlsform(
        actor=sv.owner, content=content, site=sv.tree.inst1, kind=SurveyKind.NEEDS
    )
    assert [
        {k: getattr(q, k) for k in keys}
        for q in copy.current_version.questions.order_by("position")
    ] == original


def test_every_type_survives_the_round_trip(tree, owner, good_form):
    survey, _n = survey_import_xlsform(
        actor=owner, content=good_form, site=tree.inst1, kind="needs"
    )
    again = parse_xlsform(xlsform_bytes(survey))
    assert [(q["name"], q["qtype"], q["relevant"]) for q in again.questions] == [
        (q.name, q.qtype, q.relevant) for q in survey.current_version.questions.order_by("position")
    ]


def test_reimport_into_a_published_survey_makes_a_new_version(sv, good_form):
    survey, _n = survey_import_xlsform(actor=sv.owner, content=good_form, survey=sv.survey)
    survey.refresh_from_db()
    assert survey.current_version.number == 2
    assert survey.versions.get(number=1).questions.count() == len(QUESTIONS)


# --- the pages ------------------------------------------------------------------------------


def test_import_page_creates_a_draft_and_shows_the_notices(sv, good_form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = Client()
    c.force_login(sv.owner)
    r = c.post(
        "/surveys/import/",
        {
            "file": SimpleUploadedFile("form.xlsx", good_form),
            "kind": "needs",
            "site": sv.tree.inst1.pk,
        },
        follow=True,
    )
    assert r.status_code == 200
    s = Survey.objects.get(title="江益镇问需")
    assert r.redirect_chain[-1][0] == f"/surveys/{s.pk}/"
    assert "元数据" in r.content.decode()


def test_import_page_lists_the_problems_with_a_400(sv):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = Client()
    c.force_login(sv.owner)
    bad = xlsform([SURVEY_HEADER, ["bogus", "b", "乙", "", "", "", "", ""]])
    r = c.post(
        "/surveys/import/",
        {"file": SimpleUploadedFile("bad.xlsx", bad), "kind": "needs", "site": sv.tree.inst1.pk},
    )
    assert r.status_code == 400
    assert "survey 表第 2 行" in r.content.decode()
    assert not Survey.objects.filter(title="导入的问卷").exists()


def test_import_page_refuses_an_oversized_file_with_413(sv):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = Client()
    c.force_login(sv.owner)
    big = b"PK" + b"0" * (MAX_XLSFORM_BYTES + 10)
    r = c.post(
        "/surveys/import/",
        {"file": SimpleUploadedFile("big.xlsx", big), "kind": "needs", "site": sv.tree.inst1.pk},
    )
    assert r.status_code == 413 and "太大" in r.content.decode()


def test_export_page_downloads_the_xlsform(sv):
    c = Client()
    c.force_login(sv.owner)
    r = c.get(f"/surveys/{sv.survey.pk}/xlsform.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert [q["name"] for q in parse_xlsform(r.content).questions] == [q["name"] for q in QUESTIONS]


def test_settings_sheet_is_optional(tree, owner):
    rows = [["type", "name", "label"], ["text", "a", "甲"]]
    s, _n = survey_import_xlsform(actor=owner, content=xlsform(rows), site=tree.inst1, kind="ideas")
    assert s.title == "导入的问卷" and s.current_version.questions.get().label_zh == "甲"
