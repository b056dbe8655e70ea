"""Reads of the sync queue (staff only; the queue spans every region, so no scope filter)."""

from datetime import timedelta

from django.utils import timezone

from . import conf
from .choices import OutboxStatus
from .models import OutboxRow, TargetState
from .services.reconcile import day_figures


def dead_letters(limit: int = 200):
    return OutboxRow.objects.filter(status=OutboxStatus.DEAD).order_by("-id")[:limit]


def targets_overview(days: int = 7) -> list[dict]:
    today = timezone.localdate()
    states = {s.target: s for s in TargetState.objects.all()}
    out = []
    for t in conf.all_targets():
        out.append(
            {
                "name": t.name,
                "enabled": bool(t.url),
                "version": t.adapter.VERSION,
                "state": states.get(t.name),
                "days": [day_figures(t.name, today - timedelta(days=i)) for i in range(days)],
            }
        )
    return out
