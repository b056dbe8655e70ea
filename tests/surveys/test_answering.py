"""Answering over the API and the phone page: types, required, show-if, close, duplicates,
minors, scope of villages."""

import json

import pytest
from django.test import Client

from xinfeng.surveys.choices import Channel, DuplicatePolicy
from xinfeng.surveys.models import Answer, Response, Survey
from xinfeng.surveys.services import authoring

from .conftest import good_answers


def post(client, survey, **body):
    body.setdefault("answers", good_answers())
    return client.post(
        f"/api/v1/surveys/{survey.pk}/responses",
        json.dumps(body),
        content_type="application/json",
    )


def body(sv, **over):
    b = {
        "village_id": sv.tree.v1.pk,
        "age_band": "35_59",
        "sex": "f",
        "device_id": "dev-0000000000000001",
    }
    b.update(over)
    return b


def test_anonymous_answer_is_stored_one_row_per_question_and_chosen_key(sv):
    r = post(Client(), sv.survey, **body(sv))
    assert r.status_code == 201, r.content
    resp = Response.objects.get(pk=r.json()["id"])
    assert resp.respondent is None and resp.channel == Channel.API and not resp.is_proxy
    rows = {(a.question.name, a.choice, a.number, a.text) for a in resp.answers.all()}
    assert rows == {
        ("need", "old", None, ""),
        ("old_how", "meal", None, ""),
        ("old_how", "visit", None, ""),
        ("sat", "", 4.0, ""),
        ("people", "", 3.0, ""),
        ("wish", "", None, "多办讲座"),
    }
    # demographics copied to every answer row, for cross-tabs without a join
    assert set(resp.answers.values_list("village_id", "age_band", "sex")) == {
        (sv.tree.v1.pk, "35_59", "f")
    }


def test_the_definition_for_the_phone_lists_questions_show_if_and_villages(sv):
    r = Client().get(f"/api/v1/surveys/{sv.survey.pk}")
    assert r.status_code == 200
    d = r.json()
    assert [q["name"] for q in d["questions"]] == ["need", "old_how", "sat", "people", "wish"]
    assert d["questions"][1]["relevant"] == "${need} = 'old'"
    assert {v["name"] for v in d["villages"]} == {"水口村", "新塘村"}
    assert d["taking_answers"] is True


def test_a_draft_survey_is_404_to_the_phone(tree, owner):
    s = authoring.survey_create(actor=owner, site=tree.inst1, kind="needs", title="草稿")
    assert Client().get(f"/api/v1/surveys/{s.pk}").status_code == 404
    assert post(Client(), s, **{"village_id": tree.v1.pk}).status_code == 404


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        (good_answers(sat=7), "sat", "1 到 5"),
        (good_answers(sat="很好"), "sat", "整数"),
        (good_answers(people=2.5), "people", "整数"),
        (good_answers(need="cats"), "need", "选项"),
        (good_answers(old_how=["meal", "fly"]), "old_how", "选项"),
        (good_answers(wish=["a"]), "wish", "文字"),
        (good_answers(wish="长" * 501), "wish", "500"),
        (good_answers(sat=None), "sat", "必答"),
        (good_answers(old_how=[]), "old_how", "必答"),
    ],
)
def test_wrong_answers_are_400_naming_the_question(sv, answers, field, words):
    r = post(Client(), sv.survey, **body(sv, answers=answers))
    assert r.status_code == 400
    assert words in r.json()["detail"]
    assert Response.objects.count() == 0


def test_a_question_hidden_by_its_show_if_is_ignored_even_with_a_bad_value(sv):
    answers = good_answers(need="health", old_how=["not-a-choice"])
    r = post(Client(), sv.survey, **body(sv, answers=answers))
    assert r.status_code == 201, r.content
    assert not Answer.objects.filter(question__name="old_how").exists()


def test_an_unknown_question_name_is_400(sv):
    r = post(Client(), sv.survey, **body(sv, answers=good_answers(nope="x")))
    assert r.status_code == 400 and "nope" in r.json()["detail"]


def test_a_village_outside_the_survey_is_400(sv):
    r = post(Client(), sv.survey, **body(sv, village_id=sv.tree.v2.pk))
    assert r.status_code == 400 and "调查范围" in r.json()["detail"]


def test_answers_after_close_are_409_with_a_message(sv):
    authoring.survey_close(actor=sv.owner, survey=sv.survey)
    r = post(Client(), sv.survey, **body(sv))
    assert r.status_code == 409
    assert r.json()["code"] == "survey_closed" and "已结束" in r.json()["detail"]


def test_answers_past_the_closing_time_are_409(sv):
    from datetime import timedelta

    from django.utils import timezone

    Survey.objects.filter(pk=sv.survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert post(Client(), sv.survey, **body(sv)).json()["code"] == "survey_closed"


def test_the_same_device_answering_twice_is_409(sv):
    assert post(Client(), sv.survey, **body(sv)).status_code == 201
    r = post(Client(), sv.survey, **body(sv))
    assert r.status_code == 409 and r.json()["code"] == "duplicate"
    assert (
        post(Client(), sv.survey, **body(sv, device_id="dev-0000000000000002")).status_code == 201
    )


def test_one_network_address_is_capped_per_window(sv):
    Survey.objects.filter(pk=sv.survey.pk).update(max_per_address=2)
    sv.survey.refresh_from_db()
    codes = [
        post(Client(), sv.survey, **body(sv, device_id=f"dev-00000000000000{i:02d}")).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 409]


def test_no_limit_policy_takes_repeat_answers(sv):
    Survey.objects.filter(pk=sv.survey.pk).update(duplicate_policy=DuplicatePolicy.NONE)
    sv.survey.refresh_from_db()
    assert [post(Client(), sv.survey, **body(sv)).status_code for _i in range(2)] == [201, 201]


def test_per_person_a_signed_in_person_answers_once_whatever_the_device(sv, api_as):
    Survey.objects.filter(pk=sv.survey.pk).update(duplicate_policy=DuplicatePolicy.PER_PERSON)
    sv.survey.refresh_from_db()
    client = api_as(sv.resident)
    assert post(client, sv.survey, **body(sv)).status_code == 201
    r = post(client, sv.survey, **body(sv, device_id="dev-another-device-0001"))
    assert r.status_code == 409
    assert Response.objects.get().respondent == sv.resident


def test_a_survey_needing_sign_in_refuses_anonymous_answers_with_401(sv, api_as):
    Survey.objects.filter(pk=sv.survey.pk).update(allow_anonymous=False)
    sv.survey.refresh_from_db()
    assert post(Client(), sv.survey, **body(sv)).status_code == 401
    assert post(api_as(sv.resident), sv.survey, **body(sv)).status_code == 201


def test_under_14_needs_a_guardians_consent(sv):
    r = post(Client(), sv.survey, **body(sv, age_band="u14"))
    assert r.status_code == 400 and "监护人" in r.json()["detail"]
    r = post(Client(), sv.survey, **body(sv, age_band="u14", guardian_consent=True))
    assert r.status_code == 201
    assert Response.objects.get().guardian_consent is True


def test_14_to_17_answer_on_their_own(sv):
    assert post(Client(), sv.survey, **body(sv, age_band="14_17")).status_code == 201


def test_an_unknown_age_band_is_refused(sv):
    assert post(Client(), sv.survey, **body(sv, age_band="42")).status_code == 400


# --- the phone page (works without JS: a plain form) ------------------------------------


def page_data(sv, **over):
    data = {
        "village": sv.tree.v1.pk, "age_band": "60_69", "sex": "m", "need": "old",
        "old_how": ["meal", "clean"], "sat": "5", "people": "2", "wish": "",
    }  # fmt: skip
    data.update(over)
    return data


def test_phone_page_answer_by_link_then_thanks(sv):
    c = Client()
    url = f"/surveys/s/{sv.survey.token}/"
    r = c.get(url + f"?c=qr&v={sv.tree.v1.pk}")
    assert r.status_code == 200 and "您最需要哪类服务？" in r.content.decode()
    assert "xf_sv" in r.cookies
    r = c.post(url + "?c=qr", page_data(sv, c="qr"))
    assert r.status_code == 302 and r["Location"].endswith("/thanks/")
    resp = Response.objects.get()
    assert resp.channel == Channel.QR and resp.device_hash
    # the same phone again: refused with a message, nothing stored
    r = c.post(url, page_data(sv))
    assert r.status_code == 409 and "已经提交过" in r.content.decode()
    assert Response.objects.count() == 1


def test_phone_page_shows_each_wrong_answer_next_to_its_question(sv):
    c = Client()
    c.get(f"/surveys/{sv.survey.pk}/answer/")
    r = c.post(f"/surveys/{sv.survey.pk}/answer/", page_data(sv, sat="", people="x"))
    assert r.status_code == 400
    html = r.content.decode()
    assert "此题必答" in html and "请填写整数" in html
    assert 'value="old" checked' in html  # what was entered stays


def test_phone_page_of_a_closed_survey_says_so(sv):
    authoring.survey_close(actor=sv.owner, survey=sv.survey)
    r = Client().get(f"/surveys/s/{sv.survey.token}/")
    assert r.status_code == 200 and "问卷已结束" in r.content.decode()
    assert '<form method="post"' not in r.content.decode()
    r = Client().post(f"/surveys/s/{sv.survey.token}/", page_data(sv))
    assert r.status_code == 409


def test_phone_page_asks_no_name_phone_id_number_or_birth_date(sv):
    import re

    html = Client().get(f"/surveys/s/{sv.survey.token}/").content.decode()
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html)) - {
        "csrfmiddlewaretoken",
        "next",
    }
    assert names == {
        "village", "age_band", "guardian_consent", "sex", "need", "old_how", "sat", "people",
        "wish",
    }  # fmt: skip


def test_a_photo_answer_is_stored_and_named_by_the_field(tree):
    """An image question's upload is checked, stored under the field's folder and named on
    its answer row (the answers are inserted as plain values, not saved one by one)."""
    import io

    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from xinfeng.surveys.choices import QuestionType
    from xinfeng.surveys.models import Question
    from xinfeng.surveys.services.answering import Submission, response_submit

    from .needs_helpers import make_survey

    survey = make_survey(tree.inst1)
    survey.regions.set([tree.t1])
    Question.objects.create(
        version=survey.current_version, position=9, name="pic", label_zh="照片",
        qtype=QuestionType.PHOTO,
    )  # fmt: skip
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    upload = SimpleUploadedFile("x.bin", buf.getvalue(), content_type="image/png")
    response = response_submit(
        survey=survey,
        submission=Submission(
            values={"freq": "weekly", "need": ["law"], "sat": 3},
            files={"pic": upload},
            village_id=tree.v1.pk,
        ),
        device_id="dev-photo",
    )
    answer = Answer.objects.get(response=response, question__name="pic")
    assert answer.photo.name.startswith("surveys/photos/") and answer.photo.name.endswith(".png")
    assert default_storage.exists(answer.photo.name)
    assert (answer.choice, answer.number, answer.text) == ("", None, "")
    assert Answer.objects.get(response=response, question__name="sat").photo.name == ""


def test_an_api_answer_takes_a_fixed_number_of_statements(sv, django_assert_max_num_queries):
    """The survey with its version, the address cap, the response, its answers, the tally,
    the claim (and the transaction's savepoint under the test's transaction)."""
    for dev in ("dev-0000000000000001", "dev-0000000000000002"):  # freeze, keep questions
        assert post(Client(), sv.survey, **body(sv, device_id=dev)).status_code == 201
    with django_assert_max_num_queries(8):
        r = post(Client(), sv.survey, **body(sv, device_id="dev-0000000000000003"))
    assert r.status_code == 201, r.content
