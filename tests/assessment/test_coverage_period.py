"""Coverage per period: the 15-minute coverage is read at the period's end from the sites
open then (places' coverage report, the one the insights pages use), and a township's
share of villages covered, with a station and with an activity are counted per period —
each equal to an independent count."""

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from xinfeng.activities.models import Activity
from xinfeng.assessment import compute
from xinfeng.places.coverage import walk_radius_m
from xinfeng.places.models import PopulationPoint, Site

pytestmark = pytest.mark.django_db
Q1, Q3 = compute.parse_period("2026-Q1"), compute.parse_period("2026-Q3")


@pytest.fixture
def world(tree):
    # Every site of the tree stands at (29.25, 115.8); 江益村's station moves north and
    # opens on 1 June 2026.
    Site.objects.filter(pk=tree.st2.pk).update(
        latitude=29.40, active_from=datetime(2026, 6, 1, tzinfo=UTC)
    )
    for region, lat, weight in [
        (tree.v1, 29.25, 100),  # at the sites
        (tree.v1, 29.60, 50),  # ~39 km away: never covered
        (tree.v2, 29.40, 80),  # at 江益村's station
    ]:
        PopulationPoint.objects.create(region=region, latitude=lat, longitude=115.8, weight=weight)
    Activity.objects.create(
        title="宣讲",
        category="theory",
        site=tree.st1,
        region=tree.v1,
        state="finished",
        starts_at=datetime(2026, 2, 3, 9, tzinfo=UTC),
        ends_at=datetime(2026, 2, 3, 11, tzinfo=UTC),
        capacity=10,
    )
    return tree


def _km(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _independent(place, when):
    """(population, covered) of ``place``'s subtree with the sites open at ``when``."""
    radius_km = walk_radius_m() / 1000
    sites = [
        s
        for s in Site.objects.all()
        if (s.active_from is None or s.active_from <= when)
        and (s.active_until is None or s.active_until > when)
    ]
    pop = cov = 0.0
    for p in PopulationPoint.objects.all():
        if not p.region.path.startswith(place.path):
            continue
        pop += p.weight
        if any(_km(p.latitude, p.longitude, s.latitude, s.longitude) <= radius_km for s in sites):
            cov += p.weight
    return pop, cov


def test_coverage_is_read_at_the_end_of_each_period(world):
    tree = world
    for period in (Q1, Q3):
        when = period.bounds()[1]
        for place in (tree.city, tree.t1, tree.t2, tree.v1, tree.v2):
            pop, cov = _independent(place, when)
            f = compute.compute("coverage_15min", place, period)
            assert (f.denominator, f.numerator) == (Decimal(pop), Decimal(cov))
    assert compute.compute("coverage_15min", tree.v2, Q1).value == 0
    assert compute.compute("coverage_15min", tree.v2, Q3).value == Decimal("100.00")
    assert compute.compute("coverage_15min", tree.v1, Q1).value == Decimal("66.67")


def test_villages_covered_with_a_station_and_with_an_activity_per_period(world):
    tree = world
    for period in (Q1, Q3):
        lo, hi = period.bounds()
        for place in (tree.city, tree.t1, tree.t2):
            villages = [v for v in (tree.v1, tree.v2) if v.path.startswith(place.path)]
            covered = 0
            for v in villages:
                pop, cov = _independent(v, hi)
                covered += pop > 0 and cov / pop >= 0.5
            f = compute.compute("villages_covered", place, period)
            assert (f.numerator, f.denominator) == (covered, len(villages))
            stations = sum(
                1
                for v in villages
                if any(
                    s.region_id == v.pk
                    and s.level == "station"
                    and (s.active_from is None or s.active_from <= hi)
                    for s in Site.objects.all()
                )
            )
            f = compute.compute("villages_with_station", place, period)
            assert (f.numerator, f.denominator) == (stations, len(villages))
            active = sum(
                1
                for v in villages
                if any(
                    a.region_id == v.pk and a.state == "finished" and lo <= a.starts_at < hi
                    for a in Activity.objects.all()
                )
            )
            f = compute.compute("villages_with_activity", place, period)
            assert (f.numerator, f.denominator) == (active, len(villages))
    # From the world above: 江益镇's village is covered and has a station only from June;
    # 苏家垱乡's village held its activity in February.
    assert compute.compute("villages_covered", tree.t2, Q1).value == 0
    assert compute.compute("villages_covered", tree.t2, Q3).value == 100
    assert compute.compute("villages_with_station", tree.city, Q1).value == 50
    assert compute.compute("villages_with_activity", tree.t1, Q1).value == 100
    assert compute.compute("villages_with_activity", tree.t1, Q3).value == 0


def test_a_running_period_reads_coverage_now(world):
    tree = world
    Site.objects.filter(pk=tree.st2.pk).update(active_from=datetime.now(UTC) + timedelta(days=1))
    year = compute.parse_period(str(datetime.now(UTC).year + 1))
    # The year ahead has not ended: the station opening tomorrow does not count yet.
    assert compute.compute("coverage_15min", tree.v2, year).value == 0
