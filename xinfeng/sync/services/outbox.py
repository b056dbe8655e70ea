"""Writing the outbox, and the staff actions on it (retry a dead row, pause a target)."""

import contextlib
import contextvars
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from xinfeng.core.audit import audit_record
from xinfeng.core.errors import Conflict

from .. import conf, policy, snapshots
from ..choices import Entity, Event, OutboxStatus
from ..models import OutboxRow, TargetState

# While an upper platform's push is being applied, its own changes are not sent back to it.
_origin: contextvars.ContextVar[str | None] = contextvars.ContextVar("sync_origin", default=None)


@contextlib.contextmanager
def changes_from(target_name: str):
    token = _origin.set(target_name)
    try:
        yield
    finally:
        _origin.reset(token)


def outbox_write(entity_type: str, entity_id: int, event: str, payload: dict) -> list[OutboxRow]:
    """One row per enabled target that takes ``entity_type``. Called by the receivers inside
    the transaction of the change."""
    origin = _origin.get()
    rows = [
        OutboxRow(
            target=t.name,
            entity_type=entity_type,
            entity_id=entity_id,
            event=event,
            payload=payload,
        )
        for t in conf.enabled_targets()
        if t.name != origin and entity_type in t.adapter.ENTITIES
    ]
    if rows:
        OutboxRow.objects.bulk_create(rows)
    return rows


@transaction.atomic
def outbox_retry(*, actor, row_id: int) -> OutboxRow:
    """Send a dead row again (from the dead-letter page): attempts start afresh."""
    policy.require_sync_staff(actor)
    row = OutboxRow.objects.select_for_update().get(pk=row_id)
    if row.status != OutboxStatus.DEAD:
        raise Conflict("only a failed row can be retried", code="not_dead")
    row.status = OutboxStatus.WAITING
    row.attempts = 0
    row.next_attempt_at = timezone.now()
    row.claimed_by = ""
    row.claimed_until = None
    row.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_by", "claimed_until"])
    audit_record(action="sync_retry", actor=actor, obj=row)
    return row


@transaction.atomic
def target_pause(*, actor, target_name: str, paused: bool, reason: str = "") -> TargetState:
    """Pause or resume sending to one target (rows keep being written while paused)."""
    policy.require_sync_staff(actor)
    state, _ = TargetState.objects.select_for_update().get_or_create(target=target_name)
    state.paused = paused
    state.paused_reason = reason[:200] if paused else ""
    state.save(update_fields=["paused", "paused_reason"])
    audit_record(action="sync_pause" if paused else "sync_resume", actor=actor, obj=state)
    return state


def sweep_bulk_created_volunteers(*, days: int = 7, limit: int = 5000) -> int:
    """Volunteers saved without signals (the Excel import uses ``bulk_create``) get their
    ``created`` row here: any volunteer of the last ``days`` days with no row yet for an
    enabled target. Runs as a periodic job; idempotent."""
    from xinfeng.volunteers.models import Volunteer

    since = timezone.now() - timedelta(days=days)
    written = 0
    for t in conf.enabled_targets():
        if Entity.VOLUNTEER not in t.adapter.ENTITIES:
            continue
        reported = OutboxRow.objects.filter(
            target=t.name, entity_type=Entity.VOLUNTEER, entity_id=OuterRef("pk")
        )
        missing = (
            Volunteer.objects.filter(created_at__gte=since)
            .filter(~Exists(reported))
            .select_related("home_region")
            .order_by("pk")[:limit]
        )
        rows = [
            OutboxRow(
                target=t.name,
                entity_type=Entity.VOLUNTEER,
                entity_id=v.pk,
                event=Event.CREATED,
                payload=snapshots.volunteer(v),
            )
            for v in missing
        ]
        OutboxRow.objects.bulk_create(rows, batch_size=500)
        written += len(rows)
    return written
