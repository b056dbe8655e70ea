"""Runs of the results computation: the worker's schedule (every published scheme of the
year, its current periods) and a person's "compute this period", each logged as a
``ResultsRun`` whose progress commits step by step.

Idempotent: each step replaces one scheme's period wholesale (``results_compute``), so a
second run over the same data leaves the same rows; a scheduled run does not start while
another one is under way (unless that one has been running for ``STUCK_AFTER``, i.e. its
worker died)."""

import logging
from datetime import date, datetime, timedelta

from django.db.models import F
from django.utils import timezone

from ..models import ResultsRun, Scheme
from .results import results_compute

log = logging.getLogger(__name__)
STUCK_AFTER = timedelta(hours=2)


def current_periods(year: int, today: date) -> list[str]:
    """The periods of a ``year`` scheme that still change on ``today``: the year, the
    running quarter and month, and the previous quarter and month of the same year (late
    ratings and confirmed manual scores land there). In January the past year's scheme
    gets its last recompute (year, Q4, December)."""
    if year == today.year:
        q = (today.month - 1) // 3 + 1
        keys = [str(year), f"{year}-Q{q}", f"{year}-{today.month:02d}"]
        if q > 1:
            keys.append(f"{year}-Q{q - 1}")
        if today.month > 1:
            keys.append(f"{year}-{today.month - 1:02d}")
        return keys
    if year == today.year - 1 and today.month == 1:
        return [str(year), f"{year}-Q4", f"{year}-12"]
    return []


def schemes_due(today: date) -> list[Scheme]:
    """The newest published version of each place's scheme for this year (and last year's
    in January)."""
    newest: dict[tuple[int, int], Scheme] = {}
    for s in (
        Scheme.objects.filter(published_at__isnull=False, year__in=[today.year, today.year - 1])
        .select_related("region")
        .order_by("region_id", "year", "-version")
    ):
        newest.setdefault((s.region_id, s.year), s)
    return list(newest.values())


def _running_elsewhere(now: datetime) -> bool:
    return ResultsRun.objects.filter(
        status=ResultsRun.Status.RUNNING, started_at__gt=now - STUCK_AFTER
    ).exists()


def results_refresh(
    *,
    trigger: str,
    actor=None,
    scheme: Scheme | None = None,
    periods: list[str] | None = None,
    today: date | None = None,
) -> ResultsRun | None:
    """Compute results and log the run. With ``scheme`` and ``periods``: those (a person's
    request). Without: the schedule — every due scheme's current periods; returns None when
    there is nothing to do or another scheduled run is under way."""
    now = timezone.now()
    today = today or timezone.localdate()
    if scheme is not None:
        steps = [(scheme, p) for p in (periods or [str(scheme.year)])]
    else:
        if _running_elsewhere(now):
            return None
        steps = [(s, p) for s in schemes_due(today) for p in current_periods(s.year, today)]
        if not steps:
            return None
    run = ResultsRun.objects.create(
        trigger=trigger,
        scheme=scheme,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        steps_total=len(steps),
        periods=sorted({p for _s, p in steps}),
    )
    errors = []
    for s, period in steps:
        places = 0
        try:
            places = results_compute(scheme=s, period_key=period)
        except Exception as exc:  # one bad step must not stop the others
            log.exception("assessment results of scheme %s for %s failed", s.pk, period)
            errors.append(f"{s.pk}/{period}: {type(exc).__name__}")
        ResultsRun.objects.filter(pk=run.pk).update(
            steps_done=F("steps_done") + 1, places=F("places") + places
        )
    ResultsRun.objects.filter(pk=run.pk).update(
        status=ResultsRun.Status.FAILED if errors else ResultsRun.Status.DONE,
        error="; ".join(errors)[:500],
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
