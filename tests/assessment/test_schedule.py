"""The worker recomputes stored results on a schedule: the current periods of the newest
published scheme of each place for the year, idempotently, logged as a run with its
progress, which the results page shows. The job runs in-process through the real worker
command (``manage.py worker --once``)."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.models import Result, ResultsRun
from xinfeng.assessment.services import schemes
from xinfeng.assessment.services.runs import current_periods, results_refresh
from xinfeng.core.periodic import periodic_jobs

pytestmark = pytest.mark.django_db


def test_current_periods_follow_the_calendar():
    assert current_periods(2026, date(2026, 5, 15)) == [
        "2026",
        "2026-Q2",
        "2026-05",
        "2026-Q1",
        "2026-04",
    ]
    assert current_periods(2026, date(2026, 1, 3)) == ["2026", "2026-Q1", "2026-01"]
    assert current_periods(2025, date(2026, 1, 3)) == ["2025", "2025-Q4", "2025-12"]
    assert current_periods(2025, date(2026, 2, 1)) == []
    assert current_periods(2027, date(2026, 5, 1)) == []


def test_the_job_is_registered_with_the_worker():
    names = {job.name for job in periodic_jobs()}
    assert any(name.endswith("recompute_results") for name in names)


def _rows(scheme):
    return sorted(
        Result.objects.filter(scheme=scheme).values_list(
            "period", "level", "region_id", "site_id", "team_id", "total", "rank"
        ),
        key=repr,
    )


@pytest.mark.django_db(transaction=True)  # the worker checks (and on PostgreSQL closes) its
# connection like a request does: inside a test's transaction that would close the test's own
def test_the_worker_recomputes_published_schemes_idempotently(tree, owner):
    today = timezone.localdate()
    staff = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    published = schemes.default_scheme_build(actor=staff, region=tree.city, year=today.year)
    draft = schemes.scheme_new_version(actor=staff, scheme=published)  # not published
    older = schemes.default_scheme_build(actor=staff, region=tree.t1, year=today.year - 3)

    call_command("worker", "--once")

    run = ResultsRun.objects.get(trigger="schedule")
    periods = current_periods(today.year, today)
    assert run.status == "done" and run.finished_at is not None
    assert run.steps_done == run.steps_total == len(periods)
    assert sorted(run.periods) == sorted(periods)
    assert set(Result.objects.filter(scheme=published).values_list("period", flat=True)) == set(
        periods
    )
    # 2 townships, 2 villages, 4 sites per period.
    assert run.places == 8 * len(periods)
    assert not Result.objects.filter(scheme__in=[draft, older]).exists()
    first = _rows(published)

    # Idempotent: a second round leaves the same rows (no duplicates, same scores).
    for job in periodic_jobs():
        job.last_enqueued = float("-inf")
    call_command("worker", "--once")
    assert ResultsRun.objects.filter(trigger="schedule", status="done").count() == 2
    assert _rows(published) == first

    # The page shows the last runs and their progress.
    c = Client()
    c.force_login(owner)
    page = c.get(f"/assessment/schemes/{published.pk}/results/?period={today.year}")
    html = page.content.decode()
    assert "定时任务" in html and f"{len(periods)}/{len(periods)}" in html


def test_a_scheduled_run_waits_for_one_under_way(tree):
    today = timezone.localdate()
    staff = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    schemes.default_scheme_build(actor=staff, region=tree.city, year=today.year)
    busy = ResultsRun.objects.create(trigger="schedule", steps_total=3)
    assert results_refresh(trigger="schedule") is None
    # A run left "running" for hours (its worker died) no longer blocks.
    ResultsRun.objects.filter(pk=busy.pk).update(started_at=timezone.now() - timedelta(hours=3))
    run = results_refresh(trigger="schedule")
    assert run is not None and run.status == "done"


def test_a_person_computing_a_period_is_logged(tree, owner):
    staff = grant(UserFactory(username="city-staff"), Role.CENTER_ADMIN, tree.city)
    s = schemes.default_scheme_build(actor=staff, region=tree.city, year=2026)
    c = Client()
    c.force_login(staff)
    r = c.post(f"/assessment/schemes/{s.pk}/results/compute", {"period": "2026-Q3"})
    assert r.status_code == 302
    run = ResultsRun.objects.get()
    assert (run.trigger, run.scheme_id, run.actor_id, run.periods) == (
        "manual",
        s.pk,
        staff.pk,
        ["2026-Q3"],
    )
    assert run.places == Result.objects.filter(scheme=s, period="2026-Q3").count() == 8
