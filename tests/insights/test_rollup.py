"""The rollup equals what the raw tables say, region by region, and follows changes once
the worker has run."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xinfeng.activities.choices import ActivityState
from xinfeng.insights.models import RegionStat, RollupRun, RollupState
from xinfeng.insights.rollup import run_rollup
from xinfeng.regions.models import Region

from .conftest import _activity, _service
from .raw_counts import monthly_mismatches, raw_figures

COMPARED = [
    "sites_center",
    "sites_institute",
    "sites_station",
    "sites_point",
    "sites_total",
    "sites_complex",
    "teams_total",
    "volunteers_registered",
    "volunteers_active_month",
    "projects_total",
    "projects_active",
    "activities_total",
    "audience_online",
    "audience_offline",
    "service_records",
    "service_hours",
    "orders_total",
    "orders_submitted",
    "orders_pending_dispatch",
    "orders_dispatched",
    "orders_in_service",
    "orders_completed",
    "orders_rated",
    "orders_rejected",
    "orders_cancelled",
    "ontime_review",
    "ontime_dispatch",
    "ontime_accept",
    "ontime_start",
    "ontime_rate",
    "satisfaction",
    "followups_open",
]


def test_every_region_matches_the_raw_tables(city):
    run = run_rollup()
    assert run.status == RollupRun.Status.OK
    for region in Region.objects.all():
        stat = RegionStat.objects.get(region=region)
        raw = raw_figures(region)
        got = {k: stat.figures[k] for k in COMPARED}
        want = {k: (round(raw[k], 2) if k == "service_hours" else raw[k]) for k in COMPARED}
        assert got == want, region.name


def test_city_figures_are_the_ones_built_in_the_fixture(city):
    run_rollup()
    f = RegionStat.objects.get(region=city.city).figures
    # 1 center, 2 institutes, 3 stations (2 complexes), 1 open point (the closed one left out)
    assert [f["sites_center"], f["sites_institute"], f["sites_station"], f["sites_point"]] == [
        1,
        2,
        3,
        1,
    ]
    assert f["sites_complex"] == 2
    assert f["teams_total"] == 3 and f["volunteers_registered"] == 5
    assert f["service_hours"] == 18.25 and f["service_records"] == 6
    assert f["activities_total"] == 4  # finished + published; not cancelled or draft
    assert (f["audience_online"], f["audience_offline"]) == (380, 47)
    assert f["orders_total"] == 11 and f["orders_open"] == 5
    assert f["satisfaction"] == 3.5  # (5 + 2) / 2; the automatic 4 is left out
    assert f["ratings_auto"] == 1 and f["followups_open"] == 1
    assert f["population"] == 1800 and f["population_covered"] == 1600


def test_monthly_series_put_each_record_in_its_month(city):
    run_rollup()
    for region in (city.city, city.t2, city.v1):
        stat = RegionStat.objects.get(region=region)
        raw = raw_figures(region)
        labels = stat.months["labels"]
        assert len(labels) == 12 and labels[-1] == timezone.localtime().strftime("%Y-%m")
        hours = dict(zip(labels, stat.months["service_hours"], strict=True))
        acts = dict(zip(labels, stat.months["activities"], strict=True))
        for month, value in raw["_monthly_hours"].items():
            if month in hours:
                assert hours[month] == pytest.approx(value), (region.name, month)
        assert sum(stat.months["service_hours"]) == pytest.approx(
            sum(v for m, v in raw["_monthly_hours"].items() if m in hours)
        )
        assert {m: v for m, v in acts.items() if v} == {
            m: v for m, v in raw["_monthly_activities"].items() if m in acts
        }


def test_every_monthly_series_matches_the_raw_tables(city):
    """Activities, online and offline audience, hours, person-times, orders created and
    finished, new volunteers: month by month, in every region."""
    run_rollup()
    for region in Region.objects.all():
        stat = RegionStat.objects.get(region=region)
        assert monthly_mismatches(stat.months, raw_figures(region)) == [], region.name
    city_months = RegionStat.objects.get(region=city.city).months
    assert sum(city_months["audience_online"]) == 380  # the 300 online + the 80 of a mixed one
    assert sum(city_months["audience_offline"]) == 47


def test_second_run_rewrites_nothing_when_nothing_changed(city):
    first = run_rollup()
    second = run_rollup()
    assert first.changed == Region.objects.count()
    assert second.changed == 0 and second.status == RollupRun.Status.OK


@pytest.mark.django_db(transaction=True)
def test_figures_update_after_a_change_once_the_worker_has_run(city):
    run_rollup()
    before = RegionStat.objects.get(region=city.t2).figures
    now = timezone.now()
    _service(city.volunteers[2], city.v2, now - timedelta(hours=3), "2.0")
    _activity(city.st2, now - timedelta(days=1), ActivityState.FINISHED, checkin=9)
    # Nothing moves until the worker runs: pages read the rollup only.
    assert RegionStat.objects.get(region=city.t2).figures == before
    call_command("worker", "--once")
    after = RegionStat.objects.get(region=city.t2).figures
    assert after["service_hours"] == before["service_hours"] + 2.0
    assert after["service_records"] == before["service_records"] + 1
    assert after["activities_total"] == before["activities_total"] + 1
    assert after["audience_offline"] == before["audience_offline"] + 9
    assert after["volunteers_active_month"] == before["volunteers_active_month"] + 1
    city_after = RegionStat.objects.get(region=city.city).figures
    assert city_after["service_hours"] == raw_figures(city.city)["service_hours"]


@pytest.mark.django_db(transaction=True)
def test_a_change_queues_one_debounced_rollup(city):
    # Committed changes (autocommit here) queue work; drain what the fixture queued.
    call_command("worker", "--once")
    waiting = DBTaskResult.objects.filter(task_path__endswith="rollup_after_change", status="READY")
    assert not waiting.exists() and not RollupState.objects.get(pk=1).pending
    _service(city.volunteers[0], city.v1, timezone.now(), "1.0")
    _service(city.volunteers[1], city.v1, timezone.now(), "1.0")
    assert waiting.count() == 1  # two changes, one queued run
    assert RollupState.objects.get(pk=1).pending
    call_command("worker", "--once")
    assert not waiting.exists() and not RollupState.objects.get(pk=1).pending
    assert (
        RegionStat.objects.get(region=city.v1).figures["service_hours"]
        == raw_figures(city.v1)["service_hours"]
    )
    _service(city.volunteers[1], city.v1, timezone.now(), "1.0")
    assert waiting.count() == 1  # a change after the run queues the next one


def test_a_closed_site_drops_out_of_the_counts(city):
    run_rollup()
    city.pt1.active_until = timezone.now() - timedelta(minutes=1)
    city.pt1.active_from = timezone.now() - timedelta(days=1)
    city.pt1.save()
    run_rollup()
    assert RegionStat.objects.get(region=city.v1).figures["sites_point"] == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.django_db(transaction=True)
def test_after_a_slow_run_the_worker_waits_before_the_next(city):
    """At province scale a run takes minutes: the next waits twice as long."""
    now = timezone.now()
    RollupRun.objects.create(
        started_at=now - timedelta(seconds=30),
        finished_at=now - timedelta(seconds=5),
        status=RollupRun.Status.OK,
        duration_ms=25_000,
    )
    call_command("worker", "--once")
    assert RollupRun.objects.count() == 1
    RollupRun.objects.update(started_at=now - timedelta(seconds=51))
    call_command("worker", "--once")
    assert RollupRun.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_change_soon_after_a_run_waits_for_the_gap_then_runs_once(city, settings):
    """Under steady writes at most one recompute per ROLLUP_CHANGE_GAP_SECONDS: a change
    right after a run is deferred to the end of the gap (the flag stays set, so further
    changes queue nothing), then recomputes with every change of the gap."""
    settings.ROLLUP_CHANGE_GAP_SECONDS = 30
    call_command("worker", "--once")  # the periodic run: the last run started just now
    changes = RollupRun.objects.filter(trigger="change").count()
    waiting = DBTaskResult.objects.filter(task_path__endswith="rollup_after_change", status="READY")
    _service(city.volunteers[0], city.v1, timezone.now(), "1.0")
    call_command("worker", "--once")
    assert RollupRun.objects.filter(trigger="change").count() == changes  # deferred
    deferred = waiting.get()
    assert deferred.run_after > timezone.now() + timedelta(seconds=20)
    assert RollupState.objects.get(pk=1).pending
    _service(city.volunteers[1], city.v1, timezone.now(), "2.0")
    assert waiting.count() == 1  # still one queued recompute
    # The gap is over: the deferred recompute runs (here by hand: a worker round would
    # first run the periodic jobs) and carries both changes.
    RollupRun.objects.update(started_at=timezone.now() - timedelta(seconds=31))
    from xinfeng.insights.tasks import rollup_after_change

    assert "run" in rollup_after_change.call()
    assert RollupRun.objects.filter(trigger="change").count() == changes + 1
    assert not RollupState.objects.get(pk=1).pending
    assert (
        RegionStat.objects.get(region=city.v1).figures["service_hours"]
        == raw_figures(city.v1)["service_hours"]
    )
