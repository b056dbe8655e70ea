"""Surveys, versions and questions: the rules of authoring (services)."""

import pytest

from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.surveys.choices import QuestionType, SurveyKind, SurveyStatus
from xinfeng.surveys.models import Question, Survey
from xinfeng.surveys.relevant import RelevantError, evaluate, parse
from xinfeng.surveys.services import authoring
from xinfeng.surveys.services.answering import Submission, response_submit

from .conftest import QUESTIONS, good_answers


def test_new_survey_has_a_draft_first_version_and_the_owner_sites_region(tree, owner):
    s = authoring.survey_create(actor=owner, site=tree.inst1, kind=SurveyKind.NEEDS, title="问需")
    assert s.status == SurveyStatus.DRAFT
    assert s.region == tree.t1
    assert s.current_version.number == 1
    assert not s.current_version.questions.exists()


def test_staff_of_another_township_may_not_create_a_survey_for_this_site(tree, outsider):
    with pytest.raises(PermissionDenied):
        authoring.survey_create(actor=outsider, site=tree.inst1, kind="needs", title="问需")


def test_coverage_outside_the_owner_sites_region_is_refused(tree, owner):
    with pytest.raises(ValidationFailed) as exc:
        authoring.survey_create(
            actor=owner, site=tree.inst1, kind="needs", title="问需", regions=[tree.v2]
        )
    assert "江益村" in str(exc.value.detail)


def test_close_before_open_is_refused(tree, owner):
    from django.utils import timezone

    now = timezone.now()
    with pytest.raises(ValidationFailed):
        authoring.survey_create(
            actor=owner, site=tree.inst1, kind="needs", title="问需", opens_at=now, closes_at=now
        )


def test_publishing_without_questions_is_a_conflict(tree, owner):
    s = authoring.survey_create(actor=owner, site=tree.inst1, kind="needs", title="问需")
    with pytest.raises(Conflict):
        authoring.survey_publish(actor=owner, survey=s)


def test_a_draft_is_edited_in_place(tree, owner):
    s = authoring.survey_create(actor=owner, site=tree.inst1, kind="needs", title="问需")
    v1 = authoring.survey_set_questions(actor=owner, survey=s, questions=QUESTIONS)
    v1b = authoring.survey_set_questions(actor=owner, survey=s, questions=QUESTIONS[:2])
    assert v1b.pk == v1.pk
    assert v1b.questions.count() == 2


def test_editing_a_published_survey_makes_a_new_version_and_answers_keep_theirs(sv):
    first = sv.survey.current_version
    r = response_submit(
        survey=sv.survey,
        submission=Submission(values=good_answers(), village_id=sv.tree.v1.pk),
    )
    new = authoring.survey_set_questions(actor=sv.owner, survey=sv.survey, questions=QUESTIONS[:3])
    sv.survey.refresh_from_db()
    assert new.number == 2 and sv.survey.current_version == new
    r.refresh_from_db()
    assert r.version == first
    assert first.questions.count() == 5
    assert type(first).objects.get(pk=first.pk).frozen_at is not None


def test_questions_of_an_answered_version_cannot_change(sv):
    response_submit(
        survey=sv.survey, submission=Submission(values=good_answers(), village_id=sv.tree.v1.pk)
    )
    q = Question.objects.get(version=sv.survey.current_version, name="wish")
    q.label_zh = "改过的题目"
    with pytest.raises(Conflict):
        q.save()


def test_station_staff_may_not_edit_a_township_survey(sv):
    with pytest.raises(PermissionDenied):
        authoring.survey_set_questions(actor=sv.station, survey=sv.survey, questions=QUESTIONS)


def test_center_staff_manage_a_township_survey(sv):
    authoring.survey_close(actor=sv.center, survey=sv.survey)
    assert Survey.objects.get(pk=sv.survey.pk).status == SurveyStatus.CLOSED


def test_closing_twice_is_a_conflict(sv):
    authoring.survey_close(actor=sv.owner, survey=sv.survey)
    with pytest.raises(Conflict):
        authoring.survey_close(actor=sv.owner, survey=sv.survey)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"name": "1bad"}, "字段名"),
        ({"qtype": "geopoint"}, "题型"),
        ({"label_zh": ""}, "题目文字"),
        ({"relevant": "${later} = 'x'"}, "不在本题之前"),
        ({"relevant": "count(${need}) > 1"}, "不支持"),
        ({"choices": []}, "至少需要一个选项"),
        ({"choices": [{"key": "a b", "label_zh": "x"}]}, "选项值"),
    ],
)
def test_bad_questions_are_refused_naming_the_question(tree, owner, change, words):
    s = authoring.survey_create(actor=owner, site=tree.inst1, kind="needs", title="问需")
    q = dict(QUESTIONS[0], **change)
    with pytest.raises(ValidationFailed) as exc:
        authoring.survey_set_questions(actor=owner, survey=s, questions=[q])
    assert words in str(exc.value.detail)
    assert "第 1 题" in str(exc.value.detail)


def test_duplicate_question_names_are_refused(tree, owner):
    s = authoring.survey_create(actor=owner, site=tree.inst1, kind="needs", title="问需")
    q = {"name": "a", "label_zh": "甲", "qtype": QuestionType.TEXT}
    with pytest.raises(ValidationFailed, match="重复"):
        authoring.survey_set_questions(actor=owner, survey=s, questions=[q, dict(q)])


# --- show-if ------------------------------------------------------------------------------


def test_show_if_tree_evaluates_and_or_not_selected_and_numbers():
    tree = parse("${a} = 'y' and (selected(${b}, 'x') or not(${c} < 3))", ["a", "b", "c"])
    assert evaluate(tree, {"a": "y", "b": ["x"], "c": None})
    assert evaluate(tree, {"a": "y", "b": [], "c": 4.0})
    assert not evaluate(tree, {"a": "y", "b": [], "c": 2.0})
    assert not evaluate(tree, {"a": "n", "b": ["x"], "c": 5.0})


def test_show_if_on_an_unanswered_question_is_false_except_equal_empty():
    assert not evaluate(parse("${a} = 'y'", ["a"]), {"a": None})
    assert evaluate(parse("${a} = ''", ["a"]), {"a": None})
    assert evaluate(parse("${a} != ''", ["a"]), {"a": "y"})


@pytest.mark.parametrize(
    "text", ["${a} == 1", "${a} = ", "${a} = 1 xor ${a} = 2", "${a", "1 = ${a}", "now() > 3"]
)
def test_show_if_refuses_what_it_does_not_understand(text):
    with pytest.raises(RelevantError):
        parse(text, ["a"])
