"""Inputs other than the ones the first tests named (the outside check of #13): XLSForm
files as other townships draft them, and answers no phone sends but a client can."""

import json

import pytest
from django.test import Client

from xinfeng.core.errors import ValidationFailed
from xinfeng.surveys.choices import QuestionType, SurveyKind
from xinfeng.surveys.models import Response
from xinfeng.surveys.services import authoring
from xinfeng.surveys.services.xlsform import parse_xlsform, survey_import_xlsform

from .conftest import QUESTIONS, good_answers, xlsform

HEADER = ["type", "name", "label::Chinese (zh)", "required", "relevant"]
YES_NO = [["list_name", "name", "label::Chinese (zh)"], ["yn", "yes", "是"], ["yn", "no", "否"]]


def problems_of(content: bytes) -> str:
    with pytest.raises(ValidationFailed) as exc:
        parse_xlsform(content)
    return "\n".join(getattr(exc.value, "problems", [str(exc.value.detail)]))


# --- XLSForm ----------------------------------------------------------------------------


def test_a_groups_show_if_reaches_every_question_inside_it_nested_too():
    rows = [
        HEADER,
        ["select_one yn", "elder", "家里有老人吗", "TRUE()", ""],
        ["begin_group", "g_old", "老人情况", "", "${elder} = 'yes'"],
        ["integer", "n_old", "几位老人", "yes", ""],
        ["begin group", "g_alone", "独居", "", "${n_old} = 1"],
        ["text", "why", "为什么独居", "", "${elder} != 'no'"],
        ["end group", "", "", "", ""],
        ["end_group", "", "", "", ""],
        ["text", "wish", "建议", "", ""],
    ]
    form = parse_xlsform(xlsform(rows, YES_NO))
    rel = {q["name"]: q["relevant"] for q in form.questions}
    assert rel == {
        "elder": "",
        "n_old": "${elder} = 'yes'",
        "why": "(${elder} = 'yes') and (${n_old} = 1) and (${elder} != 'no')",
        "wish": "",
    }
    assert any("分组的显示条件" in n for n in form.notices)


def test_a_required_question_in_a_hidden_group_is_not_asked(tree, owner):
    rows = [
        HEADER,
        ["select_one yn", "elder", "家里有老人吗", "yes", ""],
        ["begin_group", "g_old", "老人情况", "", "${elder} = 'yes'"],
        ["integer", "n_old", "几位老人", "yes", ""],
        ["end_group", "", "", "", ""],
    ]
    survey, _notices = survey_import_xlsform(
        actor=owner, content=xlsform(rows, YES_NO), site=tree.inst1, kind=SurveyKind.NEEDS,
        regions=[tree.t1],
    )  # fmt: skip
    authoring.survey_publish(actor=owner, survey=survey)
    url = f"/api/v1/surveys/{survey.pk}/responses"
    body = {"village_id": tree.v1.pk, "age_band": "35_59", "sex": "m", "device_id": "d1"}
    r = Client().post(url, {**body, "answers": {"elder": "no"}}, content_type="application/json")
    assert r.status_code == 201, r.content
    r = Client().post(
        url,
        {**body, "device_id": "d2", "answers": {"elder": "yes"}},
        content_type="application/json",
    )
    assert r.status_code == 400 and "必答" in r.json()["detail"]


def test_a_wrong_show_if_on_a_group_names_the_groups_row():
    rows = [
        HEADER,
        ["integer", "a", "甲", "", ""],
        ["begin_group", "g", "组", "", "${later} = 1"],
        ["integer", "later", "乙", "", ""],
        ["end_group", "", "", "", ""],
    ]
    text = problems_of(xlsform(rows))
    assert "survey 表第 3 行" in text and "later" in text


def test_an_empty_choices_sheet_is_fine_when_no_question_chooses():
    rows = [HEADER, ["integer", "people", "常住人数", "", ""]]
    form = parse_xlsform(xlsform(rows, []))
    assert [q["name"] for q in form.questions] == ["people"]


def test_the_older_list_name_header_with_a_space_is_read():
    choices = [["list name", "name", "label"], ["yn", "yes", "是"], ["yn", "no", "否"]]
    form = parse_xlsform(xlsform([HEADER, ["select_one yn", "q", "有吗", "", ""]], choices))
    assert [c["key"] for c in form.questions[0]["choices"]] == ["yes", "no"]


def test_a_form_labelled_only_in_english_keeps_its_labels():
    rows = [["type", "name", "label::English (en)"], ["integer", "people", "How many people"]]
    q = parse_xlsform(xlsform(rows)).questions[0]
    assert q["label_zh"] == "How many people" and q["label_en"] == "How many people"


@pytest.mark.parametrize(
    "relevant",
    ["${elder} = 'maybe'", "selected(${elder}, 'maybe')", "${elder} != 'yes' or ${elder} = 3"],
)
def test_a_show_if_on_a_value_that_is_no_option_is_refused_naming_the_row(relevant):
    rows = [
        HEADER,
        ["select_one yn", "elder", "家里有老人吗", "", ""],
        ["text", "why", "为什么", "", relevant],
    ]
    text = problems_of(xlsform(rows, YES_NO))
    assert "第 3 行" in text and "不是题目 elder 的选项" in text


def test_the_editor_refuses_a_show_if_on_a_value_that_is_no_option(sv):
    questions = [dict(q) for q in QUESTIONS]
    questions[1]["relevant"] = "${need} = 'elderly'"
    with pytest.raises(ValidationFailed) as exc:
        authoring.survey_set_questions(actor=sv.owner, survey=sv.survey, questions=questions)
    assert "elderly" in str(exc.value.detail) and "need" in str(exc.value.detail)
    questions[1]["relevant"] = "${need} = 'old' or ${need} = ''"
    authoring.survey_set_questions(actor=sv.owner, survey=sv.survey, questions=questions)


def test_numbered_choices_compare_with_numbers():
    choices = [["list_name", "name", "label"], ["lv", 1, "一"], ["lv", 2, "二"]]
    rows = [HEADER, ["select_one lv", "lv", "等级", "", ""], ["text", "t", "说", "", "${lv} = 2"]]
    assert parse_xlsform(xlsform(rows, choices)).questions[1]["relevant"] == "${lv} = 2"
    assert parse_xlsform(xlsform(rows, choices)).questions[0]["qtype"] == QuestionType.SINGLE


# --- answers ----------------------------------------------------------------------------


def _post_raw(survey, raw: str):
    return Client().post(
        f"/api/v1/surveys/{survey.pk}/responses", raw, content_type="application/json"
    )


@pytest.mark.parametrize("where", ["wish", "device_id"])
def test_a_lone_surrogate_in_an_answer_is_400_not_500(sv, where):
    body = {
        "village_id": sv.tree.v1.pk, "age_band": "35_59", "sex": "f", "device_id": "dev-1",
        "answers": good_answers(wish="PLACEHOLDER"),
    }  # fmt: skip
    raw = json.dumps(body)
    raw = (
        raw.replace('"PLACEHOLDER"', '"\\ud800abc"')
        if where == "wish"
        else raw.replace('"dev-1"', '"dev-\\udfff"')
    )
    r = _post_raw(sv.survey, raw)
    assert r.status_code == 400 and r.json()["code"] == "invalid_text"
    assert Response.objects.count() == 0


def test_an_emoji_written_as_a_surrogate_pair_is_taken(sv):
    body = {
        "village_id": sv.tree.v1.pk, "age_band": "35_59", "sex": "f", "device_id": "dev-2",
        "answers": good_answers(wish="多办讲座PLACEHOLDER"),
    }  # fmt: skip
    raw = json.dumps(body, ensure_ascii=False).replace("PLACEHOLDER", "\\ud83d\\ude00")
    r = _post_raw(sv.survey, raw)
    assert r.status_code == 201, r.content
    assert Response.objects.get().answers.get(question__name="wish").text == "多办讲座😀"


# --- scope of raw answers on a cluster's page -----------------------------------------


def test_a_station_reads_only_its_villages_answers_on_a_cluster_page(client, tree, owner):
    from xinfeng.accounts.choices import Role
    from xinfeng.surveys.models import Answer
    from xinfeng.surveys.services import needs as needs_svc

    from ..factories import UserFactory, grant
    from .needs_helpers import fill, make_survey, villages_of

    others = villages_of(tree.t1, 2)
    survey = make_survey(tree.inst1)
    fill(survey, [tree.v1, *others], 60, seed=3)
    cluster = max(
        needs_svc.clusters_rebuild(actor=owner, survey=survey, question_name="wish"),
        key=lambda c: c.count,
    )
    station = grant(UserFactory(username="st-cl"), Role.STATION_OPERATOR, tree.v1)
    client.force_login(station)
    html = client.get(f"/surveys/clusters/{cluster.pk}/").content.decode()
    assert "仅显示您负责的村（社区）" in html
    rows = html.split('id="answers"', 1)[1].split("</table>", 1)[0]
    assert (
        tree.v1.name in rows
        or not Answer.objects.filter(cluster_member__cluster=cluster, village=tree.v1).exists()
    )
    assert all(v.name not in rows for v in others)
    client.force_login(owner)
    rows = client.get(f"/surveys/clusters/{cluster.pk}/").content.decode()
    assert any(v.name in rows.split('id="answers"', 1)[1] for v in others)


def test_the_survey_page_in_english_lists_the_english_wording(sv):
    c = Client()
    c.force_login(sv.owner)
    html = c.get(f"/surveys/{sv.survey.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    listed = html.split('data-testid="question-list"', 1)[1].split("</ol>", 1)[0]
    assert "Which service do you need most?" in listed and "您最需要哪类服务？" not in listed
    html = c.get(f"/surveys/{sv.survey.pk}/").content.decode()
    assert "您最需要哪类服务？" in html.split('data-testid="question-list"', 1)[1]


# --- pages: hidden fields and uploads ---------------------------------------------------


@pytest.mark.parametrize("entered", ["abc", "9" * 5000, "-3", "", "²"])
def test_paper_entry_with_a_tampered_counter_saves_and_counts_from_one(sv, entered):
    c = Client()
    c.force_login(sv.station)
    data = {
        "village": sv.tree.v1.pk, "age_band": "35_59", "sex": "f", "need": "young", "sat": "4",
        "entered": entered,
    }  # fmt: skip
    r = c.post(f"/surveys/{sv.survey.pk}/paper/", data)
    assert r.status_code == 302 and r["Location"].endswith("&entered=1")
    assert Response.objects.filter(is_proxy=True).count() == 1
    r = c.get(f"/surveys/{sv.survey.pk}/paper/?entered={entered}")
    assert r.status_code == 200


def test_an_empty_xlsform_upload_is_400_not_413(sv):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = Client()
    c.force_login(sv.owner)
    r = c.post(
        "/surveys/import/",
        {"file": SimpleUploadedFile("form.xlsx", b""), "kind": "needs", "site": sv.tree.inst1.pk},
    )
    assert r.status_code == 400


# --- a question whose type changed between versions -------------------------------------


def test_the_excel_export_keeps_older_answers_of_a_question_whose_type_changed(sv):
    import io

    import openpyxl

    def answer(device, answers):
        r = Client().post(
            f"/api/v1/surveys/{sv.survey.pk}/responses",
            {"village_id": sv.tree.v1.pk, "device_id": device, "answers": answers},
            content_type="application/json",
        )
        assert r.status_code == 201, r.content

    answer("d-v1", good_answers())
    questions = [dict(q) for q in QUESTIONS]
    questions[0] = {"name": "need", "label_zh": "需求（文字）", "qtype": QuestionType.TEXT}
    questions[1] = {**questions[1], "relevant": ""}
    questions[2] = {
        "name": "sat", "label_zh": "满意吗", "qtype": QuestionType.SINGLE,
        "choices": [{"key": "good", "label_zh": "好"}, {"key": "bad", "label_zh": "差"}],
    }  # fmt: skip
    authoring.survey_set_questions(actor=sv.owner, survey=sv.survey, questions=questions)
    answer("d-v2", {"need": "想要助餐", "old_how": ["meal"], "sat": "good"})
    c = Client()
    c.force_login(sv.owner)
    content = c.get(f"/surveys/{sv.survey.pk}/results/answers.xlsx").content
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    head = rows[0]
    first, second = (dict(zip(head, r, strict=True)) for r in rows[1:3])
    assert first["need 需求（文字）"] == "一老（养老助老）" and first["sat 满意吗"] == "4"
    assert first["people 家中常住人数"] == "3"
    assert second["need 需求（文字）"] == "想要助餐" and second["sat 满意吗"] == "好"


# --- no ID numbers, no birth dates ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("sfz", "身份证号码"),
        ("id_number", "证件"),
        ("born", "您的出生年月"),
        ("dob", "Date of birth"),
    ],
)
def test_an_xlsform_asking_for_an_id_number_or_birth_date_is_refused_by_row(name, label):
    rows = [HEADER, ["integer", "people", "常住人数", "", ""], ["text", name, label, "", ""]]
    text = problems_of(xlsform(rows))
    assert "第 3 行" in text and "不收集身份证号" in text


def test_the_editor_refuses_an_id_number_question_but_not_a_birthday_party(sv):
    questions = [dict(q) for q in QUESTIONS]
    questions.append({"name": "sfz", "label_zh": "请填写身份证号", "qtype": QuestionType.TEXT})
    with pytest.raises(ValidationFailed) as exc:
        authoring.survey_set_questions(actor=sv.owner, survey=sv.survey, questions=questions)
    assert "不收集身份证号" in str(exc.value.detail)
    questions[-1] = {"name": "party", "label_zh": "希望村里为老人办集体生日会吗？", "qtype": "text"}
    authoring.survey_set_questions(actor=sv.owner, survey=sv.survey, questions=questions)


def test_the_survey_list_api_refuses_an_unknown_status_like_the_needs_list(sv, api_as):
    client = api_as(sv.owner)
    r = client.get("/api/v1/surveys/?status=opened")
    assert r.status_code == 400 and r.json()["code"] == "status" and "open" in r.json()["detail"]
    r = client.get("/api/v1/surveys/?status=open")
    assert r.status_code == 200 and [s["id"] for s in r.json()["items"]] == [sv.survey.pk]
    assert client.get("/api/v1/surveys/?status=closed").json()["items"] == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("sat", True), ("people", False), ("need", True), ("wish", True), ("old_how", True)],
)
def test_a_json_boolean_is_no_answer_of_any_type(sv, name, value):
    """``true`` is not a rating of 1 nor a count of 0 (the schema's union turned it into
    one before the service's type check saw it): 400 naming the question, nothing stored."""
    body = {
        "village_id": sv.tree.v1.pk, "age_band": "35_59", "sex": "f", "device_id": "dev-b",
        "answers": good_answers(**{name: value}),
    }  # fmt: skip
    r = _post_raw(sv.survey, json.dumps(body))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "answers_invalid"
    assert Response.objects.count() == 0


def test_a_stations_cluster_examples_come_from_its_own_villages_only(client, tree, owner):
    """The clusters page and API show examples (raw answers): a station gets its own
    villages' answers as examples, those who manage the survey the stored examples."""
    from xinfeng.accounts.choices import Role
    from xinfeng.surveys.models import Answer
    from xinfeng.surveys.services import needs as needs_svc

    from ..factories import UserFactory, grant
    from .needs_helpers import fill, make_survey, villages_of

    others = villages_of(tree.t1, 2)
    survey = make_survey(tree.inst1)
    fill(survey, [tree.v1, *others], 60, seed=5)
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    wish = Answer.objects.filter(survey=survey, question__name="wish")
    wish.exclude(village=tree.v1).update(text=Concat(F("text"), Value("·外村")))
    clusters = needs_svc.clusters_rebuild(actor=owner, survey=survey, question_name="wish")
    station = grant(UserFactory(username="st-ex"), Role.STATION_OPERATOR, tree.v1)
    client.force_login(station)
    r = client.get(f"/api/v1/surveys/{survey.pk}/clusters?question=wish")
    assert r.status_code == 200
    own = set(
        Answer.objects.filter(survey=survey, question__name="wish", village=tree.v1).values_list(
            "text", flat=True
        )
    )
    shown = [e for c in r.json() for e in c["examples"]]
    assert shown and set(shown) <= own
    assert all(len(c["examples"]) <= 3 for c in r.json())
    page = client.get(f"/surveys/{survey.pk}/clusters/?q=wish")
    assert page.status_code == 200
    assert not [e for c in page.context["clusters"] for e in c.shown_examples if "外村" in e]
    client.force_login(owner)
    stored = {c.pk: c.examples for c in clusters}
    assert any("外村" in e for ex in stored.values() for e in ex)
    for c in client.get(f"/api/v1/surveys/{survey.pk}/clusters?question=wish").json():
        assert c["examples"] == [str(e) for e in stored[c["id"]]]
    page = client.get(f"/surveys/{survey.pk}/clusters/?q=wish")
    assert [e for c in page.context["clusters"] for e in c.shown_examples if "外村" in e]
    # The need page quotes its cluster's examples the same way.
    widest = next(c for c in clusters if any("外村" in e for e in c.examples))
    need = needs_svc.cluster_mark_need(actor=owner, cluster=widest, title="助老")
    assert "外村" in client.get(f"/surveys/needs/{need.pk}/").content.decode()
    client.force_login(station)
    r = client.get(f"/surveys/needs/{need.pk}/")
    assert r.status_code == 200
    assert not [e for e in r.context["need"].cluster.shown_examples if "外村" in e]
