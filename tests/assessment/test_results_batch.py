"""Set-based results: a level's figures computed in one call (one grouped query per metric
for all its places) equal each place computed alone — which test_compute,
test_coverage_period and test_surveys_metrics check against independent counts; the
number of queries of a run does not grow with the number of places; a recompute keeps the
results' ids and drops the results of units no longer assessed."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import RegionFactory, SiteFactory, UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment import compute
from xinfeng.assessment.compute import place_figures
from xinfeng.assessment.compute_places import COMPUTE_PLACES
from xinfeng.assessment.compute_surveys import COMPUTE_SURVEYS
from xinfeng.assessment.models import Result, ResultLine
from xinfeng.assessment.services import schemes
from xinfeng.assessment.services.results import results_compute
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel

from .test_compute import seeded  # noqa: F401  (the fixture)
from .test_coverage_period import world as coverage_world  # noqa: F401
from .test_surveys_metrics import world as surveys_world  # noqa: F401
from .test_units import world as units_world  # noqa: F401

pytestmark = pytest.mark.django_db
PERIODS = [compute.parse_period(p) for p in ("2026", "2026-Q1", "2026-Q3")]


def _one_by_one(metric, places, period):
    from xinfeng.assessment.compute_surveys import survey_figure

    alone = compute.compute if metric in COMPUTE_PLACES else survey_figure
    return {p.pk: alone(metric, p, period) for p in places}


def _levels_equal_places_alone(tree):
    ctx = compute.Context(root=tree.city)
    for period in PERIODS:
        for metric in [*COMPUTE_PLACES, *COMPUTE_SURVEYS]:
            for places in ([tree.t1, tree.t2], [tree.v1, tree.v2], [tree.city, tree.t1, tree.v2]):
                together = place_figures(metric, places, period, ctx)
                assert together == _one_by_one(metric, places, period), (metric, period.key)
                # Without the run's context (each call bounded by the places' ancestor).
                assert place_figures(metric, places, period) == together


def test_a_level_in_one_call_equals_each_place_alone(seeded):  # noqa: F811
    _levels_equal_places_alone(seeded)


def test_coverage_figures_in_one_call_equal_each_place_alone(coverage_world):  # noqa: F811
    _levels_equal_places_alone(coverage_world)


def test_survey_figures_in_one_call_equal_each_place_alone(surveys_world):  # noqa: F811
    _levels_equal_places_alone(surveys_world)


@pytest.fixture
def scheme(seeded):  # noqa: F811
    staff = grant(UserFactory(username="city-staff"), Role.CENTER_ADMIN, seeded.city)
    return schemes.default_scheme_build(actor=staff, region=seeded.city, year=2026)


def _queries(scheme) -> int:
    with CaptureQueriesContext(connection) as ctx:
        results_compute(scheme=scheme, period_key="2026-Q1")
    return len(ctx)


def test_queries_do_not_grow_with_the_places(seeded, scheme):  # noqa: F811
    tree = seeded
    results_compute(scheme=scheme, period_key="2026-Q1")  # first run: inserts
    before = _queries(scheme)
    for i in range(4):
        village = RegionFactory(
            name=f"新村{i}",
            code=f"36048220130{i}",
            level=RegionLevel.VILLAGE,
            parent=tree.t1,
        )
        SiteFactory(name=f"新村{i}实践站", level="station", region=village, parent=tree.inst1)
    results_compute(scheme=scheme, period_key="2026-Q1")  # the new units' first rows
    assert Result.objects.filter(scheme=scheme, period="2026-Q1", level="village").count() == 6
    assert _queries(scheme) == before


def test_a_recompute_keeps_ids_and_drops_units_no_longer_assessed(seeded, scheme):  # noqa: F811
    tree = seeded
    results_compute(scheme=scheme, period_key="2026")
    ids = dict(Result.objects.filter(scheme=scheme, period="2026").values_list("pk", "total"))
    lines = ResultLine.objects.filter(result__period="2026").count()
    # The station of 江益村 closed before the year began: it is no longer assessed.
    Site.objects.filter(pk=tree.st2.pk).update(active_until=datetime(2025, 6, 1, tzinfo=UTC))
    results_compute(scheme=scheme, period_key="2026")
    after = dict(Result.objects.filter(scheme=scheme, period="2026").values_list("pk", "total"))
    gone = Result.objects.filter(pk__in=set(ids) - set(after))
    assert not gone.exists() and set(after) < set(ids) and len(ids) - len(after) == 1
    assert not Result.objects.filter(site=tree.st2, period="2026").exists()
    per_site = scheme.nodes.filter(kind="standard", level="site").count()
    assert ResultLine.objects.filter(result__period="2026").count() == lines - per_site
    # Every stored result has one line per standard of its level, none twice.
    for r in Result.objects.filter(scheme=scheme, period="2026"):
        nodes = list(r.lines.values_list("node_id", flat=True))
        assert sorted(nodes) == sorted(
            scheme.nodes.filter(kind="standard", level=r.level).values_list("pk", flat=True)
        )


def test_unit_figures_without_an_in_list_equal_those_with_one(units_world, monkeypatch):  # noqa: F811
    """A province's run groups every unit's rows instead of sending 27,000 ids: the same
    figures for the run's units, none for others."""
    from xinfeng.assessment import compute_units
    from xinfeng.places.models import Site
    from xinfeng.volunteers.models import Team

    sites = list(Site.objects.exclude(level="center").values_list("pk", flat=True))
    teams = list(Team.objects.values_list("pk", flat=True))
    assert sites and teams
    for period in PERIODS:
        for metric in compute_units.COMPUTE_UNITS:
            ids = sites if metric.startswith("site_") else teams
            with_list = compute_units.unit_figures(metric, ids[1:], period)
            monkeypatch.setattr(compute_units, "IN_LIST_MAX", 0)
            grouped = compute_units.unit_figures(metric, ids[1:], period)
            monkeypatch.setattr(compute_units, "IN_LIST_MAX", 1000)
            assert grouped == with_list and set(grouped) == set(ids[1:]), (metric, period.key)
