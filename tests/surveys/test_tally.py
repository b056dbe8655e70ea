"""The results' running tally (models/tally.py, services/tally.py): results read from it
equal an independent count of the drawn answers — after a bulk insert (the tally is rebuilt
once), after new answers arrive through the answering service (added in its transaction,
no rebuild), and after responses are deleted."""

import random
from collections import Counter

import pytest

from xinfeng.surveys import results
from xinfeng.surveys.choices import AgeBand, Channel, QuestionType, Sex
from xinfeng.surveys.models import Answer, Question, Response, Tally
from xinfeng.surveys.services.answering import Submission, response_submit
from xinfeng.surveys.services.tally import tally_is_fresh, tally_rebuild

from .needs_helpers import FREQ, NEEDS, fill, make_survey, villages_of


@pytest.fixture
def world(tree):
    villages = [tree.v1, *villages_of(tree.t1, 2)]
    survey = make_survey(tree.inst1)
    survey.regions.set([tree.t1])
    return survey, villages


def submit(survey, villages, n, seed):
    """``n`` answers through the answering service; the drawn rows, shaped like fill()'s."""
    rng = random.Random(seed)
    drawn = []
    for i in range(n):
        row = {
            "village": rng.choice(villages),
            "age_band": rng.choice(list(AgeBand.values)[2:]),
            "sex": rng.choice([Sex.FEMALE, Sex.MALE, Sex.UNSAID]),
            "freq": rng.choice(FREQ),
            "need": rng.sample(NEEDS, rng.randint(1, 3)),
            "sat": rng.randint(1, 5),
            "wish": rng.choice(["", "多办讲座", "义诊"]),
        }
        response_submit(
            survey=survey,
            submission=Submission(
                values={k: row[k] for k in ("freq", "need", "sat", "wish")},
                village_id=row["village"].pk,
                age_band=row["age_band"],
                sex=row["sex"],
            ),
            device_id=f"device-{seed}-{i}",
        )
        drawn.append(row)
    return drawn


def check(survey, drawn):
    """Every figure of the results equals a count of ``drawn``."""
    survey = type(survey).objects.get(pk=survey.pk)  # a fresh instance checks the stamp
    total, groups = results.question_results(survey)
    g = {x.name: x for x in groups}
    assert total == len(drawn)
    assert {r.key: r.count for r in g["freq"].rows if r.count} == dict(
        Counter(d["freq"] for d in drawn)
    )
    assert g["freq"].answered == len(drawn)
    assert {r.key: r.count for r in g["need"].rows if r.count} == dict(
        Counter(k for d in drawn for k in d["need"])
    )
    assert g["need"].answered == len(drawn)  # respondents, not rows
    sats = [d["sat"] for d in drawn]
    assert [r.count for r in g["sat"].rows] == [sats.count(v) for v in range(1, 6)]
    assert g["sat"].mean == pytest.approx(sum(sats) / len(sats))
    assert (g["sat"].minimum, g["sat"].maximum) == (min(sats), max(sats))
    assert g["wish"].answered == sum(1 for d in drawn if d["wish"])
    keys = [r.key for r in g["need"].rows]
    for by, attr in (("village", "village"), ("age_band", "age_band"), ("sex", "sex")):
        table = results.crosstab(survey, g["need"], by)
        for row in table["rows"]:
            want = Counter(
                k
                for d in drawn
                if (d[attr].pk if by == "village" else d[attr]) == row["key"]
                for k in d["need"]
            )
            assert row["cells"] == [want.get(k, 0) for k in keys], (by, row["key"])
        assert sum(r["total"] for r in table["rows"]) == sum(len(d["need"]) for d in drawn)
    rates = {r["village_id"]: r["responses"] for r in results.response_rates(survey)}
    assert rates == dict(Counter(d["village"].pk for d in drawn))
    scoped_total, _ = results.question_results(survey, [drawn[0]["village"].pk])
    assert scoped_total == sum(1 for d in drawn if d["village"] == drawn[0]["village"])


def tally_rows(survey):
    return sorted(
        Tally.objects.filter(survey=survey)
        .exclude(n=0)
        .values_list("question_id", "key", "village_id", "age_band", "sex", "n", "total")
    )


def test_bulk_insert_is_rebuilt_then_new_answers_are_added(world):
    survey, villages = world
    drawn = fill(survey, villages, 150, seed=5)
    for d in drawn:
        d["wish"] = d["wish"] or ""
    assert not tally_is_fresh(survey.pk)  # written past the answering service
    check(survey, drawn)
    assert tally_is_fresh(survey.pk)
    # New answers through the service: added in its transaction, no rebuild needed.
    drawn += submit(survey, villages, 40, seed=6)
    assert tally_is_fresh(survey.pk)
    check(survey, drawn)
    incremental = tally_rows(survey)
    tally_rebuild(survey.pk)
    assert tally_rows(survey) == incremental  # the same rows as a rebuild from the answers


def test_answers_only_through_the_service(world):
    survey, villages = world
    drawn = submit(survey, villages, 30, seed=7)
    assert tally_is_fresh(survey.pk)
    check(survey, drawn)
    assert Tally.objects.filter(survey=survey, question_id=0).count() > 0


def test_deleted_responses_leave_the_results(world):
    survey, villages = world
    drawn = submit(survey, villages, 25, seed=8)
    check(survey, drawn)
    gone = Response.objects.filter(survey=survey).order_by("id")[:5]
    Response.objects.filter(pk__in=[r.pk for r in gone]).delete()
    assert not tally_is_fresh(survey.pk)
    check(survey, drawn[5:])


def test_a_single_choice_or_rating_answer_adds_only_its_key_rows(world):
    """Their respondents are the sum of their key rows (no key-less row of their own); a
    rating's key rows carry its numbers (sum, min, max) for the mean."""
    survey, villages = world
    submit(survey, villages, 12, seed=9)
    qid = {q.name: q.pk for q in survey.current_version.questions.all()}
    keyless = Tally.objects.filter(survey=survey, key="").exclude(question_id=0)
    assert set(keyless.values_list("question_id", flat=True)) == {qid["need"], qid["wish"]}
    for t in Tally.objects.filter(survey=survey, question_id=qid["sat"]):
        assert (t.total, t.lo, t.hi) == (float(t.key) * t.n, float(t.key), float(t.key))


def test_answers_without_a_key_written_past_the_service_still_count(world):
    """A rating without a number, a single choice without a key (rows written past the
    service, as other apps' tests do) count as answered; the rating's mean is its numbers'
    sum over its answers, as ever."""
    survey, villages = world
    drawn = submit(survey, villages, 6, seed=10)
    q = {x.name: x for x in survey.current_version.questions.all()}
    village = villages[0]
    r = Response.objects.create(
        survey=survey, version=survey.current_version, village=village, channel=Channel.API
    )
    Answer.objects.bulk_create(
        [
            Answer(response=r, survey=survey, question=q["sat"], number=None, village=village),
            Answer(response=r, survey=survey, question=q["freq"], choice="", village=village),
        ]
    )
    fresh = type(survey).objects.get(pk=survey.pk)
    total, groups = results.question_results(fresh)
    g = {x.name: x for x in groups}
    sats = [d["sat"] for d in drawn]
    assert total == 7
    assert g["sat"].answered == g["freq"].answered == 7
    assert [r.count for r in g["sat"].rows] == [sats.count(v) for v in range(1, 6)]
    assert (g["sat"].minimum, g["sat"].maximum) == (min(sats), max(sats))
    assert g["sat"].mean == pytest.approx(sum(sats) / 7)
    submit(survey, villages, 5, seed=11)  # added to the rebuilt tally
    incremental = tally_rows(survey)
    tally_rebuild(survey.pk)
    assert tally_rows(survey) == incremental


def test_a_village_pick_and_a_number_count_as_before(world):
    """A village-picker question (respondents: the sum of its key rows) and an integer (its
    own respondents row with sum, min, max) through the service: the results equal a count,
    and the incremental rows equal a rebuild."""
    survey, villages = world
    version = survey.current_version
    for pos, name, qtype in ((5, "where", QuestionType.VILLAGE), (6, "kids", QuestionType.INTEGER)):
        Question.objects.create(
            version=version, position=pos, name=name, label_zh=name, qtype=qtype, required=False
        )
    rng = random.Random(12)
    picks, kids = [], []
    for i in range(15):
        values = {"freq": "weekly", "need": ["law"], "sat": 3}
        if i % 4:
            picks.append(rng.choice(villages).pk)
            values["where"] = str(picks[-1])
        if i % 3:
            kids.append(rng.randint(0, 6))
            values["kids"] = kids[-1]
        response_submit(
            survey=survey,
            submission=Submission(values=values, village_id=villages[0].pk),
            device_id=f"device-where-{i}",
        )
    fresh = type(survey).objects.get(pk=survey.pk)
    _, groups = results.question_results(fresh)
    g = {x.name: x for x in groups}
    assert g["where"].answered == len(picks)
    assert {r.key: r.count for r in g["where"].rows} == {
        str(k): n for k, n in Counter(picks).items()
    }
    assert g["kids"].answered == len(kids)
    assert g["kids"].mean == pytest.approx(sum(kids) / len(kids))
    assert (g["kids"].minimum, g["kids"].maximum) == (min(kids), max(kids))
    incremental = tally_rows(survey)
    tally_rebuild(survey.pk)
    assert tally_rows(survey) == incremental
