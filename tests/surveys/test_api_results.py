"""The results, clusters and needs API (#13): figures equal an independent count (and the
results page's), scope from three sides like the pages, bad parameters are 400 with a
message."""

from collections import Counter

import pytest
from django.test import Client

from xinfeng.accounts.choices import Role
from xinfeng.surveys.models import Cluster
from xinfeng.surveys.services.needs import cluster_mark_need

from ..factories import UserFactory, grant
from .needs_helpers import fill, make_survey, target, villages_of

N = 120


@pytest.fixture
def data(tree):
    villages = [tree.v1, *villages_of(tree.t1, 2)]
    survey = make_survey(tree.inst1)
    drawn = fill(survey, villages, N, seed=21)
    target(survey, tree.v1, 50)
    return survey, villages, drawn


def _q(body, name):
    return next(q for q in body["questions"] if q["name"] == name)


def test_owner_reads_results_equal_to_an_independent_count(api_as, owner, data, tree):
    survey, villages, drawn = data
    r = api_as(owner).get(f"/api/v1/surveys/{survey.pk}/results?crosstab=need&by=sex")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["responses"] == N and body["partial"] is False
    freq = _q(body, "freq")
    assert {x["key"]: x["count"] for x in freq["rows"] if x["count"]} == dict(
        Counter(d["freq"] for d in drawn)
    )
    assert freq["answered"] == N
    need = _q(body, "need")
    want = Counter(k for d in drawn for k in d["need"])
    assert {x["key"]: x["count"] for x in need["rows"] if x["count"]} == dict(want)
    assert {x["key"]: x["share"] for x in need["rows"] if x["count"]} == {
        k: pytest.approx(v / N) for k, v in want.items()
    }
    sat = _q(body, "sat")
    assert sat["mean"] == pytest.approx(sum(d["sat"] for d in drawn) / N)
    cross = body["crosstab"]
    assert cross["question"] == "need" and cross["by"] == "sex"
    keys = [c["key"] for c in cross["columns"]]
    for row in cross["rows"]:
        expected = Counter(k for d in drawn if d["sex"] == row["key"] for k in d["need"])
        assert row["cells"] == [expected.get(k, 0) for k in keys]
    rates = {x["village_id"]: x for x in body["response_rates"]}
    got = sum(1 for d in drawn if d["village"] == tree.v1)
    assert rates[tree.v1.pk]["responses"] == got and rates[tree.v1.pk]["target"] == 50


def test_a_station_reads_its_own_villages_share(api_as, tree, data):
    survey, _villages, drawn = data
    station = grant(UserFactory(username="st-api"), Role.STATION_OPERATOR, tree.v1)
    body = api_as(station).get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert body["partial"] is True
    assert body["responses"] == sum(1 for d in drawn if d["village"] == tree.v1)


def test_results_clusters_and_needs_from_three_sides(api_as, owner, outsider, resident, data):
    survey, _villages, _drawn = data
    cluster = Cluster.objects.create(survey=survey, question_name="wish", label="老人助餐")
    need = cluster_mark_need(actor=owner, cluster=cluster)
    urls = [
        f"/api/v1/surveys/{survey.pk}/results",
        f"/api/v1/surveys/{survey.pk}/clusters",
    ]
    for url in urls:
        assert Client().get(url).status_code == 401  # public: sign in
        assert api_as(resident).get(url).status_code == 403  # no staff role
        assert api_as(outsider).get(url).status_code == 404  # another township's survey
        assert api_as(owner).get(url).status_code == 200
    assert Client().get("/api/v1/surveys/needs").status_code == 401
    assert api_as(resident).get("/api/v1/surveys/needs").status_code == 403
    assert api_as(outsider).get("/api/v1/surveys/needs").json()["items"] == []
    items = api_as(owner).get("/api/v1/surveys/needs").json()["items"]
    assert [n["id"] for n in items] == [need.pk]
    clusters = api_as(owner).get(f"/api/v1/surveys/{survey.pk}/clusters?question=wish").json()
    assert [(c["id"], c["need_id"]) for c in clusters] == [(cluster.pk, need.pk)]


@pytest.mark.parametrize(
    "query, field",
    [("?by=height", "by"), ("?crosstab=wish", "crosstab"), ("?crosstab=nope", "crosstab")],
)
def test_bad_parameters_are_400_with_a_message(api_as, owner, data, query, field):
    survey, _villages, _drawn = data
    r = api_as(owner).get(f"/api/v1/surveys/{survey.pk}/results{query}")
    assert r.status_code == 400
    assert r.json()["code"] == field and r.json()["detail"]


def test_clusters_of_a_question_that_is_not_text_are_404(api_as, owner, data):
    survey, _villages, _drawn = data
    r = api_as(owner).get(f"/api/v1/surveys/{survey.pk}/clusters?question=freq")
    assert r.status_code == 404


def test_needs_with_an_unknown_status_are_400(api_as, owner, data):
    r = api_as(owner).get("/api/v1/surveys/needs?status=nope")
    assert r.status_code == 400 and "状态" in r.json()["detail"]
