"""Results of a survey (xinfeng.surveys.results and the results page): every figure equals
an independent count of the drawn answers; cross-tabs; response rates; Excel export; scope
from three sides."""

import io
from collections import Counter

import pytest
from openpyxl import load_workbook

from xinfeng.accounts.choices import Role
from xinfeng.core.models import AuditEvent
from xinfeng.surveys import results

from ..factories import UserFactory, grant
from .needs_helpers import fill, make_survey, target, villages_of

N = 240


@pytest.fixture
def survey_data(tree):
    villages = [tree.v1, *villages_of(tree.t1, 2)]
    survey = make_survey(tree.inst1)
    drawn = fill(survey, villages, N, seed=11)
    target(survey, tree.v1, 100)
    return survey, villages, drawn


def _group(groups, name):
    return next(g for g in groups if g.name == name)


def test_counts_and_shares_equal_an_independent_count(survey_data):
    survey, _villages, drawn = survey_data
    total, groups = results.question_results(survey)
    assert total == N
    freq = _group(groups, "freq")
    expected = Counter(r["freq"] for r in drawn)
    assert {r.key: r.count for r in freq.rows} == dict(expected)
    assert freq.answered == N
    assert sum(r.share for r in freq.rows) == pytest.approx(1.0)
    need = _group(groups, "need")
    expected_need = Counter(k for r in drawn for k in r["need"])
    assert {r.key: r.count for r in need.rows if r.count} == dict(expected_need)
    assert need.answered == N  # respondents, not rows
    assert {r.key: r.share for r in need.rows if r.count} == {
        k: pytest.approx(v / N) for k, v in expected_need.items()
    }
    sat = _group(groups, "sat")
    assert [r.count for r in sat.rows] == [sum(r["sat"] == v for r in drawn) for v in range(1, 6)]
    assert sat.mean == pytest.approx(sum(r["sat"] for r in drawn) / N)


def test_crosstabs_by_village_age_and_sex(survey_data):
    survey, villages, drawn = survey_data
    _total, groups = results.question_results(survey)
    freq = _group(groups, "freq")
    by_village = results.crosstab(survey, freq, "village")
    keys = [c.key for c in by_village["columns"]]
    for row in by_village["rows"]:
        village = next(v for v in villages if v.pk == row["key"])
        expected = Counter(r["freq"] for r in drawn if r["village"] == village)
        assert row["cells"] == [expected.get(k, 0) for k in keys]
        assert row["label"] == village.name
    assert sum(r["total"] for r in by_village["rows"]) == N
    by_sex = results.crosstab(survey, freq, "sex")
    for row in by_sex["rows"]:
        expected = Counter(r["freq"] for r in drawn if r["sex"] == row["key"])
        assert row["cells"] == [expected.get(k, 0) for k in keys]
    by_age = results.crosstab(survey, _group(groups, "sat"), "age_band")
    for row in by_age["rows"]:
        expected = Counter(str(r["sat"]) for r in drawn if r["age_band"] == row["key"])
        assert row["cells"] == [expected.get(str(v), 0) for v in range(1, 6)]


def test_response_rate_against_village_targets(survey_data, tree):
    survey, _villages, drawn = survey_data
    rates = {r["village_id"]: r for r in results.response_rates(survey)}
    got = sum(1 for r in drawn if r["village"] == tree.v1)
    assert rates[tree.v1.pk]["responses"] == got
    assert rates[tree.v1.pk]["target"] == 100
    assert rates[tree.v1.pk]["rate"] == pytest.approx(got / 100)


def test_results_page_shows_charts_and_counts(client, owner, survey_data):
    survey, _villages, drawn = survey_data
    client.force_login(owner)
    resp = client.get(f"/surveys/{survey.pk}/results/?q=freq&by=sex")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "echarts.min.js" in html and 'id="survey-charts"' in html
    weekly = sum(r["freq"] == "weekly" for r in drawn)
    assert f"<td>选项weekly</td><td>{weekly}</td>" in html
    assert 'id="crosstab"' in html and "不愿透露" in html


def test_results_scope_from_three_sides(client, tree, owner, outsider, resident, survey_data):
    survey, _villages, _drawn = survey_data
    url = f"/surveys/{survey.pk}/results/"
    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(resident)
    assert client.get(url).status_code == 403  # no staff role
    client.force_login(outsider)
    assert client.get(url).status_code == 404  # another township's survey
    assert client.get(f"/surveys/{survey.pk}/results/answers.xlsx").status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200


def test_station_staff_see_only_their_village(client, tree, survey_data):
    survey, _villages, drawn = survey_data
    station = grant(UserFactory(username="st1"), Role.STATION_OPERATOR, tree.v1)
    scope = results.results_scope(station, survey)
    assert scope == [tree.v1.pk]
    total, _groups = results.question_results(survey, scope)
    assert total == sum(1 for r in drawn if r["village"] == tree.v1)
    client.force_login(station)
    resp = client.get(f"/surveys/{survey.pk}/results/")
    assert resp.status_code == 200
    assert "仅显示您负责的村（社区）" in resp.content.decode()


def test_excel_export_of_raw_answers(client, owner, survey_data):
    survey, _villages, drawn = survey_data
    client.force_login(owner)
    resp = client.get(f"/surveys/{survey.pk}/results/answers.xlsx")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == N
    col = {h.split(" ")[0]: i for i, h in enumerate(header)}
    assert Counter(r[col["freq"]] for r in body) == Counter(f"选项{r['freq']}" for r in drawn)
    assert Counter(r[col["wish"]] for r in body) == Counter(r["wish"] for r in drawn)
    # multiple choice: the chosen labels joined; no account names anywhere
    assert sorted(len(r[col["need"]].split("；")) for r in body) == sorted(
        len(r["need"]) for r in drawn
    )
    assert "owner" not in str(rows)
    assert AuditEvent.objects.filter(action="surveys.export_answers", actor=owner).exists()


def test_required_questions_count_every_response_without_scanning_answers(tree):
    """A required question without a show-if is answered by every response of its
    versions; the count comes from the responses and equals the answers' count."""
    from xinfeng.surveys.models import Question

    survey = make_survey(tree.inst1)
    Question.objects.filter(version__survey=survey).update(required=True)
    drawn = fill(survey, [tree.v1], 50, seed=4)
    total, groups = results.question_results(survey)
    assert total == 50
    need = _group(groups, "need")
    assert need.always_answered and need.answered == 50
    assert _group(groups, "wish").answered == 50
    expected_need = Counter(k for r in drawn for k in r["need"])
    assert {r.key: r.share for r in need.rows if r.count} == {
        k: pytest.approx(v / 50) for k, v in expected_need.items()
    }
