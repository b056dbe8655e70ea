"""``seed_demo --scale province`` at a tiny scale: the bulk loader writes consistent rows
(paths, ids, sequences, totals), and the rollup it builds agrees with the raw tables."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from xinfeng.insights.models import RegionStat
from xinfeng.orders.models import Order
from xinfeng.places.models import Site
from xinfeng.regions.models import PATH_SEGMENT, Region
from xinfeng.volunteers.models import ServiceRecord, Volunteer

from .raw_counts import raw_figures

COMPARED = [
    "sites_total",
    "sites_station",
    "sites_complex",
    "teams_total",
    "volunteers_registered",
    "activities_total",
    "audience_online",
    "audience_offline",
    "service_records",
    "orders_total",
    "orders_rated",
    "ontime_review",
    "ontime_accept",
    "satisfaction",
    "followups_open",
]


@pytest.fixture
def province(db, monkeypatch):
    monkeypatch.setenv("XINFENG_PROVINCE_SCALE", "0.001")
    out = io.StringIO()
    call_command("seed_demo", "--scale", "province", stdout=out)
    return out.getvalue()


def test_province_seed_at_a_small_scale(province):
    """One seed (it takes a while), three checks."""
    _tree_is_built(province)
    _rollup_equals_the_raw_tables()
    _rows_are_consistent()  # last: it adds a site


def _tree_is_built(province):
    assert "service records" in province and "rollup:" in province
    root = Region.objects.get(code="360000000000")
    assert Region.objects.filter(level="city").count() == 11
    assert Region.objects.filter(level="county").count() == 11
    for region in Region.objects.select_related("parent").order_by("?")[:200]:
        expected = (region.parent.path if region.parent else "") + str(region.pk).zfill(
            PATH_SEGMENT
        )
        assert region.path == expected and region.depth == len(expected) // PATH_SEGMENT - 1
    villages = Region.objects.filter(level="village")
    assert villages.count() > 1000
    assert Site.objects.filter(level="station").count() == villages.count()
    assert root.population == villages.aggregate(s=Sum("population"))["s"]


def _rows_are_consistent():
    assert ServiceRecord.objects.count() == 10_000
    assert Order.objects.count() == 1_000
    # Each volunteer's total equals the sum of their records.
    totals = dict(
        ServiceRecord.objects.values("volunteer_id")
        .annotate(h=Sum("hours"))
        .values_list("volunteer_id", "h")
    )
    for v in Volunteer.objects.order_by("?")[:200]:
        assert v.total_hours == totals.get(v.pk, 0)
    # The id sequences moved past the loaded ids: an ordinary insert works.
    site = Site.objects.filter(level="station").first()
    new = Site.objects.create(name="新站", level="station", region=site.region)
    assert new.pk > site.pk


def _rollup_equals_the_raw_tables():
    for region in (
        Region.objects.get(code="360000000000"),
        Region.objects.filter(level="county").order_by("path").first(),
    ):
        figures = RegionStat.objects.get(region=region).figures
        raw = raw_figures(region)
        assert {k: figures[k] for k in COMPARED} == {k: raw[k] for k in COMPARED}, region.name
        assert figures["service_hours"] == pytest.approx(raw["service_hours"])
