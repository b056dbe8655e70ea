"""Keeping the rollups current: a periodic full run, and a debounced run after changes.

Changes to the raw data (saves and deletes of the models the dashboards count) call
``request_rollup`` on commit: it marks ``RollupState.pending`` and enqueues one
``rollup_after_change``; further changes while that task waits enqueue nothing. Bulk loads
(the demo seeders) bypass signals and call ``run_rollup`` themselves.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from .models import RollupRun, RollupState
from .rollup import run_rollup

# A run that took longer than this (a province) is not followed by another one for twice
# its duration, so the worker never spends all its time on rollups; small installations
# (runs of a second or less) recompute after every change.
SLOW_RUN_MS = 10_000
STUCK_AFTER = timedelta(hours=1)


def _too_soon() -> bool:
    last = (
        RollupRun.objects.order_by("-started_at")
        .values("started_at", "status", "duration_ms")
        .first()
    )
    if last is None:
        return False
    age = timezone.now() - last["started_at"]
    if last["status"] == RollupRun.Status.RUNNING:
        return age < STUCK_AFTER  # another run is under way (or died less than an hour ago)
    if last["duration_ms"] <= SLOW_RUN_MS:
        return False
    return age < timedelta(milliseconds=2 * last["duration_ms"])


def _summary(run) -> dict:
    return {
        "run": run.pk,
        "status": run.status,
        "regions": run.regions,
        "changed": run.changed,
        "ms": run.duration_ms,
    }


@task()
def refresh_rollups() -> dict:
    """The periodic full recompute (every few minutes)."""
    if _too_soon():
        return {"skipped": True}
    return _summary(run_rollup(trigger="periodic"))


def _wait_after_change() -> timedelta | None:
    """How long a recompute after a change still waits: at most one starts per
    ``ROLLUP_CHANGE_GAP_SECONDS`` (10 s; under steady writes — an order a second — a full
    recompute after every change kept the worker busy for nothing). None: go now."""
    gap = timedelta(seconds=float(getattr(settings, "ROLLUP_CHANGE_GAP_SECONDS", 10)))
    if gap <= timedelta(0):
        return None
    last = RollupRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    if last is None:
        return None
    wait = last + gap - timezone.now()
    return wait if wait > timedelta(0) else None


@task()
def rollup_after_change() -> dict:
    """The recompute queued by a change; clears the flag first so that changes made while
    it runs queue the next one. Too soon after the last run, it comes back when the gap
    is over and keeps the flag set, so the changes meanwhile queue nothing more."""
    wait = _wait_after_change()
    if wait is not None:
        rollup_after_change.using(run_after=timezone.now() + wait).enqueue()
        return {"deferred_ms": int(wait.total_seconds() * 1000)}
    RollupState.objects.filter(pk=1).update(pending=False)
    if _too_soon():
        return {"skipped": True}  # the next periodic run carries the change
    return _summary(run_rollup(trigger="change"))


def _flag_pending(now) -> bool:
    """Set the pending flag (the row is created the first time): True when this call set
    it, False when a recompute was already pending. Runs after every committed change
    (every order), so usually one round trip: a plain read when the flag is already set —
    no row lock, no transaction to commit, which the upsert would take even when it changes
    nothing (every order waited on that one row and flushed the WAL twice). Seeing it set
    is enough: the worker clears it in a statement of its own before it recomputes, so a
    recompute that has not cleared it yet reads this change, committed before."""
    table = connection.ops.quote_name(RollupState._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pending FROM {table} WHERE id = 1")  # noqa: S608 - our table
        row = cursor.fetchone()
        if row is not None and row[0]:
            return False
        cursor.execute(
            f"INSERT INTO {table} (id, pending, requested_at) VALUES (1, %s, %s) "  # noqa: S608 - the table name is ours
            f"ON CONFLICT (id) DO UPDATE SET pending = %s, requested_at = excluded.requested_at "
            f"WHERE NOT {table}.pending RETURNING id",
            [True, connection.ops.adapt_datetimefield_value(now), True],
        )
        return cursor.fetchone() is not None


def _enqueue_once() -> None:
    if _flag_pending(timezone.now()):
        rollup_after_change.enqueue()


def request_rollup(**_signal_kwargs) -> None:
    """Signal receiver: ask for a recompute once the current transaction commits."""
    transaction.on_commit(_enqueue_once)
