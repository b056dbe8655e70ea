"""The 15-minute circle per region: shares up the tree, closed sites, gaps, suggestions."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import RegionFactory, SiteFactory
from xinfeng.places.choices import SiteLevel
from xinfeng.places.coverage_report import coverage_report
from xinfeng.places.models import PopulationPoint
from xinfeng.regions.choices import RegionLevel

LAT0, LNG0 = 29.25, 115.8
M_PER_DEG = 6_371_008.8 * math.pi / 180


def at(east_m: float, north_m: float) -> dict:
    return {
        "latitude": LAT0 + north_m / M_PER_DEG,
        "longitude": LNG0 + east_m / (M_PER_DEG * math.cos(math.radians(LAT0))),
    }


def people(region, weight, east_m, north_m):
    return PopulationPoint.objects.create(region=region, weight=weight, **at(east_m, north_m))


@pytest.fixture
def layout(tree):
    """江益村 has a station at its centre; 水口村's station is 3 km from part of its people."""
    for site in (tree.center, tree.inst1, tree.inst2):
        site.latitude = site.longitude = None
        site.save()
    tree.st2.__dict__.update(at(0, 0))
    tree.st2.save()
    tree.st1.__dict__.update(at(10_000, 0))
    tree.st1.save()
    people(tree.v2, 1000, 0, 500)  # covered by 江益村 station
    people(tree.v2, 200, 0, 3000)  # not covered
    people(tree.v1, 300, 10_000, 1000)  # covered by 水口村 station
    people(tree.v1, 700, 10_000, 4000)  # not covered: most of 水口村 is outside
    return tree


def test_shares_add_up_the_tree(layout):
    report = coverage_report()
    v1, v2, t1, t2, city = (
        report.regions[r.pk] for r in (layout.v1, layout.v2, layout.t1, layout.t2, layout.city)
    )
    assert (v2.population, v2.covered) == (1200, 1000)
    assert (v1.population, v1.covered) == (1000, 300)
    assert (t1.population, t2.population) == (1000, 1200)
    assert (city.population, city.covered) == (2200, 1300)
    assert report.share == pytest.approx(1300 / 2200)
    assert report.site_count == 2 and report.point_count == 4


def test_report_for_a_subtree_covers_only_its_regions(layout):
    report = coverage_report(root=layout.t2)
    assert set(report.regions) == {layout.t2.pk, layout.v2.pk}
    assert report.totals() == (1200, 1000)


def test_a_closed_site_covers_nobody(layout):
    layout.st2.active_until = timezone.now() - timedelta(days=1)
    layout.st2.active_from = timezone.now() - timedelta(days=30)
    layout.st2.save()
    assert coverage_report(root=layout.t2).totals() == (1200, 0)


def test_a_site_across_the_border_still_serves_the_village(layout):
    # A point of 江益镇 right next to 水口村's station counts as covered.
    people(layout.v2, 50, 10_200, 0)
    report = coverage_report(root=layout.t2)
    assert report.totals() == (1250, 1050)


def test_uncovered_villages_are_those_with_most_residents_outside(layout):
    names = [v.name for v in coverage_report().uncovered_villages()]
    assert names == ["水口村"]


def test_longer_walk_covers_more(layout):
    report = coverage_report(minutes=45, speed_kmh=4.5)  # 3,375 m
    assert report.regions[layout.v2.pk].covered == 1200
    assert report.regions[layout.v1.pk].covered == 300


def test_suggestion_lands_in_the_biggest_gap(layout):
    s = coverage_report(picks=2).suggestions
    assert [round(x.gain) for x in s] == [700, 200]
    assert s[0].region_name == "水口村"
    assert s[0].latitude == pytest.approx(at(10_000, 4000)["latitude"], abs=1e-5)


def test_no_population_layer_gives_an_empty_report(tree):
    report = coverage_report()
    assert report.point_count == 0 and report.share is None
    assert report.uncovered_villages() == [] and report.suggestions == []


def test_natural_village_points_count_for_their_village(layout):
    hamlet = RegionFactory(
        name="上屋组", level=RegionLevel.NATURAL_VILLAGE, parent=layout.v1, **at(10_000, 200)
    )
    people(hamlet, 100, 10_000, 200)
    report = coverage_report()
    assert report.regions[layout.v1.pk].population == 1100
    assert report.regions[layout.v1.pk].covered == 400


def test_sites_without_coordinates_are_left_out(layout):
    SiteFactory(
        name="临时点", level=SiteLevel.POINT, region=layout.v1, latitude=None, longitude=None
    )
    assert coverage_report().site_count == 2


def test_suggestions_for_one_subtree_stay_inside_it(layout):
    report = coverage_report()
    inside_t2 = report.suggest(layout.t2.pk)
    assert [(s.region_name, round(s.gain)) for s in inside_t2] == [("江益村", 200)]
    assert [s.region_name for s in report.suggest(layout.t1.pk, picks=3)] == ["水口村"]
    assert report.suggest(layout.city.pk)[0].region_name == "水口村"
