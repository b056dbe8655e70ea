"""Reconciliation: per target and day (of the change), how many rows were sent,
acknowledged (the target answered its own id), failed (dead), are waiting, the oldest
waiting; and a file with those counts and the sha256 of the sent idempotency keys, to compare
with the target's own figures."""

import hashlib
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from xinfeng.core.spreadsheet import csv_bytes

from .. import conf
from ..choices import OutboxStatus
from ..models import DailyReport, OutboxRow

FILE_HEADER = [
    "target",
    "day",
    "sent",
    "acknowledged",
    "failed",
    "waiting",
    "oldest_waiting_at",
    "sent_keys_sha256",
]


def _day_bounds(day: date):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, start + timedelta(days=1)


def sent_keys_sha256(target: str, day: date) -> str:
    """sha256 over the sorted idempotency keys of the day's sent rows, one per line: the
    target computes the same over the keys it received."""
    start, end = _day_bounds(day)
    keys = (
        OutboxRow.objects.filter(
            target=target, status=OutboxStatus.SENT, created_at__gte=start, created_at__lt=end
        )
        .order_by("idempotency_key")
        .values_list("idempotency_key", flat=True)
    )
    h = hashlib.sha256()
    for key in keys.iterator(chunk_size=5000):
        h.update(key.encode())
        h.update(b"\n")
    return h.hexdigest()


def day_figures(target: str, day: date) -> dict:
    start, end = _day_bounds(day)
    agg = OutboxRow.objects.filter(
        target=target, created_at__gte=start, created_at__lt=end
    ).aggregate(
        sent=Count("id", filter=Q(status=OutboxStatus.SENT)),
        acknowledged=Count("id", filter=Q(status=OutboxStatus.SENT) & ~Q(ack_ref="")),
        failed=Count("id", filter=Q(status=OutboxStatus.DEAD)),
        waiting=Count("id", filter=Q(status__in=[OutboxStatus.WAITING, OutboxStatus.SENDING])),
        oldest_waiting_at=Min(
            "created_at", filter=Q(status__in=[OutboxStatus.WAITING, OutboxStatus.SENDING])
        ),
    )
    return {"target": target, "day": day, **agg, "sent_ids_sha256": sent_keys_sha256(target, day)}


def reports_refresh(*, days: int = 2, today: date | None = None) -> int:
    today = today or timezone.localdate()
    n = 0
    for t in conf.all_targets():
        for back in range(days):
            day = today - timedelta(days=back)
            f = day_figures(t.name, day)
            DailyReport.objects.update_or_create(
                target=t.name,
                day=day,
                defaults={
                    k: f[k]
                    for k in (
                        "sent",
                        "acknowledged",
                        "failed",
                        "waiting",
                        "oldest_waiting_at",
                        "sent_ids_sha256",
                    )
                }
                | {"computed_at": timezone.now()},
            )
            n += 1
    return n


def reconciliation_csv(*, target: str, start: date, end: date) -> bytes:
    """One line per day from ``start`` to ``end`` inclusive (figures computed now)."""
    rows = [FILE_HEADER]
    day = start
    while day <= end:
        f = day_figures(target, day)
        rows.append(
            [
                target,
                day.isoformat(),
                f["sent"],
                f["acknowledged"],
                f["failed"],
                f["waiting"],
                f["oldest_waiting_at"].isoformat() if f["oldest_waiting_at"] else "",
                f["sent_ids_sha256"],
            ]
        )
        day += timedelta(days=1)
    return csv_bytes(rows)
