"""Hours disputes (时长申诉): a volunteer objects to the hours of one of their records within
the dispute window; whoever confirmed the record (the organiser or the team leader), a
leader of its team, or staff of its region settles it.

Settling never edits anything: an upheld dispute appends a correction to the record
(``ledger.append_correction``, points follow), a rejected one keeps the hours with the
reason given. One open dispute per record at a time.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.notifications.services import notify
from xinfeng.volunteers import texts as T
from xinfeng.volunteers.choices import MembershipRole, MembershipStatus
from xinfeng.volunteers.models import HoursDispute, ServiceRecord
from xinfeng.volunteers.policy import hours_dispute_window, may_resolve_hours_dispute

from .ledger import HOURS_STEP, append_correction, effective_hours, lock_volunteer

MAX_REASON = 300
MAX_HOURS = Decimal("24")
DISPUTES_LINK = "/volunteers/me/hours/"
RESOLVE_LINK = "/volunteers/hours/disputes/"


def _hours(raw, *, allow_none: bool) -> Decimal | None:
    if raw is None or raw == "":
        if allow_none:
            return None
        raise ValidationFailed(_("请填写时长。"), code="hours_required")
    try:
        value = Decimal(str(raw)).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("时长必须是数字（小时）。"), code="invalid_hours") from exc
    if not value.is_finite() or value < 0 or value > MAX_HOURS:
        raise ValidationFailed(
            _("时长应在 0 到 %(max)s 小时之间。") % {"max": MAX_HOURS}, code="invalid_hours"
        )
    return value


def dispute_open_until(record: ServiceRecord):
    return record.created_at + hours_dispute_window()


def _resolvers(record: ServiceRecord) -> list:
    users = {}
    if record.verified_by_id and record.verified_by and record.verified_by.is_active:
        users[record.verified_by_id] = record.verified_by
    if record.team_id:
        for m in record.team.memberships.filter(
            role=MembershipRole.LEADER,
            status=MembershipStatus.ACTIVE,
            volunteer__user__isnull=False,
        ).select_related("volunteer__user"):
            users.setdefault(m.volunteer.user_id, m.volunteer.user)
    return list(users.values())


@transaction.atomic
def hours_dispute_open(
    *, actor, record: ServiceRecord, reason: str, claimed_hours=None
) -> HoursDispute:
    """The record's own volunteer disputes its hours (optionally saying what they should
    be), within the window after it was written. 403 for anyone else, 409 after the
    window or while another dispute on it is open, 400 without a reason."""
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    root = record.corrects or record
    lock_volunteer(root.volunteer_id)
    if root.volunteer.user_id != actor.pk:
        raise PermissionDenied(_("只能对本人的服务时长提出申诉。"), code="not_own_record")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(_("请说明申诉理由。"), code="reason_required")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("申诉理由最多 300 个字。"), code="reason_too_long")
    claimed = _hours(claimed_hours, allow_none=True)
    if timezone.now() > dispute_open_until(root):
        raise Conflict(
            _("已超过 %(d)d 天的申诉期，请联系组织方。") % {"d": hours_dispute_window().days},
            code="dispute_window_closed",
        )
    if HoursDispute.objects.filter(record=root, status=HoursDispute.Status.OPEN).exists():
        raise Conflict(_("这条记录已有待处理的申诉。"), code="dispute_open")
    try:
        with transaction.atomic():
            dispute = HoursDispute.objects.create(
                record=root, volunteer_id=root.volunteer_id, claimed_hours=claimed, reason=reason
            )
    except IntegrityError as exc:  # a second dispute raced this one
        raise Conflict(_("这条记录已有待处理的申诉。"), code="dispute_open") from exc
    notify(
        recipients=_resolvers(root),
        title=T.DISPUTE_OPENED(
            name=root.volunteer.name,
            what=root.description or T.SOURCES.get(root.source_type, T.SOURCES["other"]),
        ),
        body=reason,
        link=RESOLVE_LINK,
        kind="hours_dispute_opened",
    )
    return dispute


@transaction.atomic
def hours_dispute_resolve(*, actor, dispute: HoursDispute, hours=None, note: str) -> HoursDispute:
    """Settle an open dispute. ``hours``: the corrected total for the record (appended as a
    correction; 0 voids it); ``None`` or the current figure keeps the hours (rejected).
    A note is required either way. 403 unless ``may_resolve_hours_dispute``, 409 when it
    was settled already."""
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    record = dispute.record
    lock_volunteer(record.volunteer_id)
    dispute = HoursDispute.objects.select_for_update(of=("self",)).get(pk=dispute.pk)
    if not may_resolve_hours_dispute(actor, record):
        raise PermissionDenied(_("您无权处理这条申诉。"), code="not_resolver")
    if record.volunteer.user_id == actor.pk:
        raise PermissionDenied(_("不能处理本人的申诉。"), code="own_dispute")
    if dispute.status != HoursDispute.Status.OPEN:
        raise Conflict(_("这条申诉已处理。"), code="dispute_resolved")
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationFailed(_("请填写处理说明。"), code="note_required")
    if len(note) > MAX_REASON:
        raise ValidationFailed(_("处理说明最多 300 个字。"), code="note_too_long")
    new_hours = _hours(hours, allow_none=True)
    current = effective_hours(record)
    if new_hours is None or new_hours == current:
        dispute.status = HoursDispute.Status.REJECTED
    else:
        # The service lasted at least the corrected hours: widen the start when needed.
        earliest = record.ended_at - timedelta(hours=float(new_hours))
        dispute.correction = append_correction(
            actor=actor,
            record=record,
            hours=new_hours,
            reason=_("申诉更正：%(note)s") % {"note": note},
            started_at=min(record.started_at, earliest),
        )
        dispute.status = HoursDispute.Status.UPHELD
    dispute.resolved_by = actor
    dispute.resolved_at = timezone.now()
    dispute.resolution = note
    dispute.save(update_fields=["status", "resolved_by", "resolved_at", "resolution", "correction"])
    if record.volunteer.user_id:
        notify(
            recipients=[record.volunteer.user],
            title=(
                T.DISPUTE_UPHELD(h=str(new_hours))
                if dispute.status == HoursDispute.Status.UPHELD
                else T.DISPUTE_REJECTED
            ),
            body=note,
            link=DISPUTES_LINK,
            kind="hours_dispute_resolved",
        )
    return dispute
