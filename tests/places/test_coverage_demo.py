"""The demo's population layer: every village's residents, spread so that gaps exist."""

import pytest
from django.db.models import Sum

from xinfeng.places.coverage_report import coverage_report
from xinfeng.places.models import PopulationPoint
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q


@pytest.fixture
def demo_places(demo_city):
    """The session's demo city (its places and population steps are what is checked)."""
    return demo_city


def test_each_village_population_is_spread_exactly(demo_places):
    for village in Region.objects.filter(level=RegionLevel.VILLAGE):
        total = PopulationPoint.objects.filter(subtree_q([village.path], "region__path")).aggregate(
            s=Sum("weight")
        )["s"]
        assert total == village.population, village.name


def test_demo_city_has_a_measurable_circle_with_gaps(demo_places):
    city = Region.objects.get(code="360482000000")
    report = coverage_report(root=city, picks=1)
    assert report.totals()[0] == city.population
    assert 0.8 < report.share < 1.0
    assert report.uncovered_villages(), "the demo should show at least one gap"
    assert report.suggestions[0].gain > 0
