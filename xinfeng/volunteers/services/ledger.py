"""Service hours and the points ledger. ``service_record_create`` is the one way any app
credits hours; ``service_record_correct`` the one way to change them afterwards.

Invariants (tested by a stateful property test):
- ``Volunteer.total_hours`` equals the sum of the volunteer's ``ServiceRecord.hours``;
- ``Volunteer.points_balance`` equals the sum of the volunteer's ``PointsEntry.delta`` and
  every entry's ``balance_after`` is the running sum, never negative.

Records and ledger lines are never edited. A correction is a new ``ServiceRecord`` whose
``corrects`` points at the original and whose ``hours`` is the *change* (it may be
negative), so ``Sum("hours")`` over records is always the true total; person-times are the
records with ``corrects IS NULL``.

Lock order, for every write in this app: the ``Volunteer`` row first, then a ``Reward``,
then anything else. Keeping one order means two transactions never wait on each other in
a cycle.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import has_role_at, require_role_at
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import RECORD, check_window, full_clean_or_raise
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import MembershipStatus, PointsKind, ServiceSource, Verification
from xinfeng.volunteers.models import PointsEntry, ServiceRecord, Team, TeamMembership, Volunteer
from xinfeng.volunteers.policy import user_leads_team

HOURS_STEP = Decimal("0.01")
INSUFFICIENT_POINTS = _("积分不足。")
END_BEFORE_START = _("结束时间必须晚于开始时间。")


def points_rate() -> Decimal:
    """Points per verified hour (``settings.XINFENG_POINTS_PER_HOUR``), read at call time."""
    return Decimal(str(getattr(settings, "XINFENG_POINTS_PER_HOUR", 10)))


def points_for_hours(hours: Decimal) -> int:
    return int((Decimal(hours) * points_rate()).to_integral_value(rounding=ROUND_HALF_UP))


def hours_between(started_at: datetime, ended_at: datetime) -> Decimal:
    seconds = Decimal((ended_at - started_at).total_seconds())
    return (seconds / Decimal(3600)).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)


def lock_volunteer(volunteer_id: int) -> Volunteer:
    """The volunteer row, locked until the transaction ends (first in the lock order)."""
    return Volunteer.objects.select_for_update().get(pk=volunteer_id)


def points_post(
    *,
    volunteer: Volunteer,
    delta: int,
    kind: str,
    service_record: ServiceRecord | None = None,
    redemption=None,
    reason: str = "",
    actor=None,
) -> PointsEntry:
    """Append one ledger line and move the cached balance with it.

    Precondition: inside a transaction, ``volunteer`` came from ``lock_volunteer``. Raises
    ``Conflict`` (409) when the balance would go negative. A line of 0 is never written
    (a check constraint too): callers skip it."""
    if delta == 0:
        raise ValidationFailed(_("积分变动不能为 0。"), code="invalid_delta")
    new_balance = volunteer.points_balance + delta
    if new_balance < 0:
        raise Conflict(INSUFFICIENT_POINTS, code="insufficient_points")
    Volunteer.objects.filter(pk=volunteer.pk).update(points_balance=new_balance)
    volunteer.points_balance = new_balance
    return PointsEntry.objects.create(
        volunteer=volunteer,
        kind=kind,
        delta=delta,
        balance_after=new_balance,
        service_record=service_record,
        redemption=redemption,
        reason=reason[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _check_span(started_at: datetime, ended_at: datetime) -> Decimal:
    if started_at is None or ended_at is None:
        raise ValidationFailed(_("请填写开始和结束时间。"), code="time_required")
    if ended_at <= started_at:
        raise ValidationFailed(END_BEFORE_START, code="end_before_start")
    check_window(RECORD, started_at=started_at, ended_at=ended_at)
    return hours_between(started_at, ended_at)


def _check_hours(hours, span: Decimal, *, allow_zero: bool = False) -> Decimal:
    try:
        value = Decimal(str(hours)).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:
        raise ValidationFailed(_("服务时长无效。"), code="invalid_hours") from exc
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationFailed(_("服务时长必须大于 0。"), code="invalid_hours")
    if value > span:
        raise ValidationFailed(
            _("服务时长不能超过开始到结束之间的 %(span)s 小时。") % {"span": span},
            code="hours_exceed_span",
        )
    return value


@transaction.atomic
def service_record_create(
    *,
    volunteer: Volunteer,
    region: Region,
    started_at: datetime,
    ended_at: datetime,
    source_type: str,
    source_id: int | None = None,
    verification: str = Verification.LEADER,
    verified_by=None,
    team: Team | None = None,
    description: str = "",
    is_backfill: bool = False,
    hours: Decimal | None = None,
    max_hours: Decimal | None = None,
) -> ServiceRecord:
    """Credit verified service hours and the points they earn.

    ``hours`` defaults to the time between start and end; give it when travel or breaks
    are excluded (it must be > 0 and not more than that time). ``max_hours`` caps what is
    credited, e.g. a backfill (补录) at the length of the activity or order it records.
    Locks the volunteer row. Raises ``ValidationFailed`` (400) for an end not after the
    start, impossible hours, or hours that round to 0 (a 0-hour record is never written;
    the model's check constraint refuses one too). Writes no points line when the hours
    earn 0 points. Updates ``volunteer`` in place with the new totals.
    """
    span = _check_span(started_at, ended_at)
    credited = span if hours is None else _check_hours(hours, span)
    if max_hours is not None:
        cap = Decimal(str(max_hours)).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)
        if cap <= 0:
            raise ValidationFailed(_("时长上限必须大于 0。"), code="invalid_hours")
        credited = min(credited, cap)
    if credited <= 0:
        raise ValidationFailed(_("服务时长必须大于 0。"), code="zero_hours")
    locked = lock_volunteer(volunteer.pk)
    record = ServiceRecord(
        volunteer=locked,
        region=region,
        started_at=started_at,
        ended_at=ended_at,
        hours=credited,
        source_type=source_type,
        source_id=source_id,
        verification=verification,
        verified_by=verified_by if getattr(verified_by, "is_authenticated", False) else None,
        team=team,
        description=(description or "")[:200],
        is_backfill=is_backfill or verification == Verification.BACKFILL,
    )
    full_clean_or_raise(record, exclude=["volunteer", "region", "team", "verified_by"])
    record.save()
    Volunteer.objects.filter(pk=locked.pk).update(total_hours=F("total_hours") + credited)
    points = points_for_hours(credited)
    if points:
        points_post(
            volunteer=locked,
            delta=points,
            kind=PointsKind.EARN,
            service_record=record,
            reason=description,
            actor=verified_by,
        )
    volunteer.total_hours = locked.total_hours + credited
    volunteer.points_balance = locked.points_balance
    return record


def effective_hours(record: ServiceRecord) -> Decimal:
    """The hours an original record counts for now: its own plus all its corrections."""
    root = record.corrects or record
    extra = root.corrections.aggregate(s=Sum("hours"))["s"] or Decimal("0")
    # SQLite sums decimals as floats; round back to the field's precision.
    return (root.hours + extra).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)


@transaction.atomic
def service_record_backfill(
    *,
    actor,
    volunteer: Volunteer,
    region: Region,
    started_at: datetime,
    ended_at: datetime,
    hours: Decimal | None = None,
    team: Team | None = None,
    description: str = "",
    source_type: str = ServiceSource.OTHER,
    source_id: int | None = None,
    max_hours: Decimal | None = None,
) -> ServiceRecord:
    """Record service after the fact (补录): flagged as a backfill and capped at the span
    it records. Allowed to staff of the region and to the leader of the team served with."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    # Staff of the region, or a leader for an active member of the team they lead.
    leader_ok = (
        user_leads_team(actor, team)
        and TeamMembership.objects.filter(
            team=team, volunteer=volunteer, status=MembershipStatus.ACTIVE
        ).exists()
    )
    if not has_role_at(actor, region) and not leader_ok:
        raise PermissionDenied()
    if not (description or "").strip():
        raise ValidationFailed(_("请填写服务内容。"), code="description_required")
    if ended_at is not None and ended_at > timezone.now():
        raise ValidationFailed(_("不能补录尚未结束的服务。"), code="backfill_future")
    return service_record_create(
        volunteer=volunteer,
        region=region,
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        max_hours=max_hours,
        source_type=source_type,
        source_id=source_id,
        verification=Verification.BACKFILL,
        verified_by=actor,
        team=team,
        description=description,
        is_backfill=True,
    )


@transaction.atomic
def service_record_correct(
    *,
    actor,
    record: ServiceRecord,
    hours: Decimal,
    reason: str,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
) -> ServiceRecord:
    """Correct the hours of a record by appending a correction that references it.

    ``hours`` is the corrected total for the original record (0 voids it). The correction's
    own ``hours`` is the change. Points follow: the chain's points become what the new
    hours earn; a clawback stops at the current balance (points already spent are not
    taken below zero), and the ledger remembers what was actually credited so a later
    correction settles the difference. Staff of the record's region only (a disputed
    record is settled through ``disputes.hours_dispute_resolve``); locks the volunteer
    row."""
    require_role_at(actor, record.region)
    return append_correction(
        actor=actor,
        record=record,
        hours=hours,
        reason=reason,
        started_at=started_at,
        ended_at=ended_at,
    )


def append_correction(
    *,
    actor,
    record: ServiceRecord,
    hours: Decimal,
    reason: str,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
) -> ServiceRecord:
    """The correction itself (see ``service_record_correct``), for callers that checked
    who may correct. Must run inside a transaction. A correction that does not change
    the hours is refused (it would be a 0-hour record)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写更正原因。"), code="reason_required")
    root = record.corrects or record
    started_at = started_at or root.started_at
    ended_at = ended_at or root.ended_at
    span = _check_span(started_at, ended_at)
    new_hours = _check_hours(hours, span, allow_zero=True)
    locked = lock_volunteer(root.volunteer_id)
    current = effective_hours(root)
    delta = new_hours - current
    if delta == 0:
        raise ValidationFailed(_("更正后的时长与当前相同。"), code="no_change")
    correction = ServiceRecord.objects.create(
        volunteer=locked,
        team=root.team,
        region=root.region,
        source_type=root.source_type,
        source_id=root.source_id,
        description=reason[:200],
        started_at=started_at,
        ended_at=ended_at,
        hours=delta,
        verification=root.verification,
        verified_by=actor,
        is_backfill=root.is_backfill,
        corrects=root,
    )
    Volunteer.objects.filter(pk=locked.pk).update(total_hours=F("total_hours") + delta)
    chain = [root.pk, *root.corrections.values_list("pk", flat=True)]
    credited = (
        PointsEntry.objects.filter(service_record_id__in=chain).aggregate(s=Sum("delta"))["s"] or 0
    )
    points_delta = points_for_hours(new_hours) - credited
    note = reason
    if points_delta < 0 and locked.points_balance + points_delta < 0:
        points_delta = -locked.points_balance
        note = _("%(reason)s（积分已使用，仅扣回余额）") % {"reason": reason}
    if points_delta:
        points_post(
            volunteer=locked,
            delta=points_delta,
            kind=PointsKind.CORRECTION,
            service_record=correction,
            reason=note,
            actor=actor,
        )
    return correction


@transaction.atomic
def points_adjust(*, actor, volunteer: Volunteer, delta: int, reason: str) -> PointsEntry:
    """A manual ledger line (e.g. a bonus granted by the center). Staff of the volunteer's
    home region; the balance never goes below zero (409)."""
    require_role_at(actor, volunteer.home_region)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写调整原因。"), code="reason_required")
    if delta == 0:
        raise ValidationFailed(_("调整积分不能为 0。"), code="invalid_delta")
    locked = lock_volunteer(volunteer.pk)
    return points_post(
        volunteer=locked, delta=delta, kind=PointsKind.ADJUST, reason=reason, actor=actor
    )
