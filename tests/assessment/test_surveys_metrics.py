"""The 三问 figures of the scheme equal independent counts over seeded surveys, responses,
answers, targets and needs (Python over every row), and a scheme scores a 三问 standard."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.factories import ProjectFactory, UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.activities.models import Activity
from xinfeng.assessment import compute
from xinfeng.assessment.compute_surveys import survey_figure
from xinfeng.assessment.models import Result
from xinfeng.assessment.services import schemes
from xinfeng.assessment.services.results import results_compute
from xinfeng.surveys.models import (
    Answer,
    Need,
    Question,
    Response,
    Survey,
    SurveyVersion,
    VillageTarget,
)

pytestmark = pytest.mark.django_db
YEAR = compute.parse_period("2026")
Q2 = compute.parse_period("2026-Q2")


def _at(month):
    return datetime(2026, month, 10, 9, tzinfo=UTC)


def _survey(site, kind, *, status="open", opens=None, closes=None):
    s = Survey.objects.create(
        title=f"{kind}问卷", kind=kind, site=site, status=status, opens_at=opens, closes_at=closes
    )
    v = SurveyVersion.objects.create(survey=s, number=1)
    s.current_version = v
    s.save()
    q = Question.objects.create(
        version=v, position=1, name="score", label_zh="评分", qtype="rating"
    )
    return s, v, q


def _answer(s, v, q, village, month, number=None):
    r = Response.objects.create(survey=s, version=v, village=village, channel="link")
    Response.objects.filter(pk=r.pk).update(created_at=_at(month))
    Answer.objects.create(response=r, survey=s, question=q, number=number, village=village)
    return r


@pytest.fixture
def world(tree):
    needs1 = _survey(tree.st1, "needs", opens=_at(1), closes=_at(3))
    needs2 = _survey(tree.inst2, "needs", opens=_at(4))
    draft = _survey(tree.st1, "ideas", status="draft")
    evaluation = _survey(tree.st1, "evaluation", opens=_at(2))
    VillageTarget.objects.create(survey=needs1[0], village=tree.v1, target=3)
    VillageTarget.objects.create(survey=needs2[0], village=tree.v2, target=4)
    VillageTarget.objects.create(survey=draft[0], village=tree.v1, target=50)  # never counts
    for month in (1, 2, 2, 3, 3):  # 5 answers in 水口村 against a target of 3
        _answer(*needs1, tree.v1, month)
    for month in (5, 6):
        _answer(*needs2, tree.v2, month)
    for month, number in ((2, 5), (5, 4), (6, 2), (11, 5)):
        _answer(*evaluation, tree.v1, month, number)
    _answer(*evaluation, tree.v2, 5, 1)
    project = ProjectFactory(site=tree.st1, region=tree.v1)
    activity = Activity.objects.create(
        title="义诊",
        category="health",
        site=tree.st1,
        region=tree.v1,
        state="finished",
        starts_at=_at(5),
        ends_at=_at(6),
        capacity=10,
    )
    for title, region, link, month in [
        ("看病难", tree.v1, "project", 3),
        ("路灯", tree.v1, "activity", 5),
        ("托管", tree.v1, None, 8),
        ("健身", tree.v2, "project", 2),
    ]:
        need = Need.objects.create(survey=needs1[0], region=region, title=title)
        Need.objects.filter(pk=need.pk).update(created_at=_at(month))
        if link == "project":
            need.projects.add(project)
        elif link == "activity":
            need.activities.add(activity)
    return tree


def test_survey_figures_equal_independent_counts(world):
    tree = world
    for period in (YEAR, Q2):
        lo, hi = period.bounds()
        for place in (tree.city, tree.t1, tree.t2, tree.v1, tree.v2):
            held = {
                r.survey_id
                for r in Response.objects.all()
                if r.survey.region.path.startswith(place.path) and lo <= r.created_at < hi
            }
            f = survey_figure("surveys_held", place, period)
            assert f.value == len(held)

            got = aim = 0
            for t in VillageTarget.objects.all():
                s = t.survey
                opened = s.opens_at or s.created_at
                collecting = (
                    s.status != "draft"
                    and opened < hi
                    and (s.closes_at is None or s.closes_at >= lo)
                )
                if collecting and t.village.path.startswith(place.path):
                    n = sum(
                        1
                        for r in Response.objects.all()
                        if r.survey_id == s.pk and r.village_id == t.village_id
                    )
                    got += min(n, t.target)
                    aim += t.target
            f = survey_figure("survey_response_rate", place, period)
            assert (f.numerator, f.denominator) == (got, aim)

            needs = [
                n
                for n in Need.objects.all()
                if n.region.path.startswith(place.path) and n.created_at < hi
            ]
            f = survey_figure("needs_answered", place, period)
            answered = [n for n in needs if n.projects.exists() or n.activities.exists()]
            assert (f.numerator, f.denominator) == (len(answered), len(needs))
            f = survey_figure("needs_to_projects", place, period)
            assert f.numerator == sum(1 for n in needs if n.projects.exists())

            ratings = [
                a.number
                for a in Answer.objects.all()
                if a.survey.kind == "evaluation"
                and a.question.qtype == "rating"
                and a.number is not None
                and a.village.path.startswith(place.path)
                and lo <= a.response.created_at < hi
            ]
            f = survey_figure("evaluation_mean", place, period)
            mean = Decimal(str(sum(ratings) / len(ratings))) if ratings else Decimal(0)
            assert f.numerator == len(ratings) and f.value == mean.quantize(Decimal("0.01"))
    # From the specification of the world: 水口村 gets 3 of its 3 (5 answers capped);
    # 江益村 2 of 4 in the year, and nothing collecting in Q2 for 水口村 (closed in March).
    assert survey_figure("survey_response_rate", tree.city, YEAR).value == Decimal("71.43")
    assert survey_figure("survey_response_rate", tree.v1, Q2).denominator == 0
    assert survey_figure("surveys_held", tree.t1, YEAR).value == 2
    assert survey_figure("needs_answered", tree.v1, YEAR).value == Decimal("66.67")
    assert survey_figure("needs_to_projects", tree.city, YEAR).value == Decimal("50.00")
    assert survey_figure("evaluation_mean", tree.v1, Q2).value == Decimal("3.00")
    # By the end of June 托管 was not yet recognised: 2 needs of 水口村, both answered.
    assert survey_figure("needs_answered", tree.v1, Q2).value == Decimal("100.00")
    assert survey_figure("funding_executed", tree.v1, YEAR) is None


def test_a_scheme_scores_a_survey_standard(world):
    tree = world
    staff = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    s = schemes.scheme_create(actor=staff, region=tree.city, year=2026, title="三问")
    schemes.node_add(actor=staff, scheme=s, kind="indicator", code="1", title="三问")
    schemes.node_add(actor=staff, scheme=s, kind="content", code="1.1", title="问效")
    schemes.node_add(
        actor=staff,
        scheme=s,
        kind="standard",
        code="1.1.1",
        title="问效平均分达到 4.5",
        points=10,
        level="village",
        method="automatic",
        rule="ratio",
        metric="evaluation_mean",
        target=Decimal("4.5"),
    )
    results_compute(scheme=s, period_key="2026")
    line = Result.objects.get(scheme=s, region=tree.v1).lines.get()
    # Ratings 5, 4, 2, 5 in the year: mean 4.00; 10 × 4 / 4.5.
    assert line.figure == Decimal("4.00") and line.score == Decimal("8.89")
    assert line.link == "/surveys/"
