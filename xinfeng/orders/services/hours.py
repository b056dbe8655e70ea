"""The hours the team leader confirms per member when completing an order (服务时长确认).

The button presses 开始服务 / 完成服务 only give a *default*: the leader confirms each
member's real hours, within bounds, with a reason when the figure differs a lot from the
default (the volunteers policy decides "a lot"). 0 means the member did not serve: no
record is written for them. A 0-hour record is never written (model constraint and the
ledger's guard); below the ledger's minimum nothing is credited.

Bounds for one member on one order: 0 (did not serve), or from the minimum service time
(``XINFENG_MIN_SERVICE_MINUTES``) up to the time the team has held the order (since it
was dispatched or grabbed) and never more than ``MAX_ORDER_HOURS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from xinfeng.core.errors import ValidationFailed
from xinfeng.volunteers.choices import ServiceSource, Verification
from xinfeng.volunteers.policy import hours_change_needs_reason, min_service_hours
from xinfeng.volunteers.services.ledger import HOURS_STEP, hours_between, service_record_create

from ..choices import AssignmentStatus
from ..models import Order, OrderAssignment

MAX_ORDER_HOURS = Decimal("24")
MAX_REASON = 200


@dataclass(frozen=True)
class HoursLine:
    """What the leader confirmed for one member: ``hours`` (0 = did not serve) and why it
    differs from the default, when it does."""

    volunteer_id: int
    hours: Decimal
    reason: str = ""


@dataclass(frozen=True)
class HoursDefault:
    """The completion form's row for one member: default (from the times) and bounds."""

    assignment: OrderAssignment
    default: Decimal
    minimum: Decimal
    maximum: Decimal

    @property
    def volunteer(self):
        return self.assignment.volunteer


def _q(value: Decimal) -> Decimal:
    return value.quantize(HOURS_STEP, rounding=ROUND_HALF_UP)


def parse_hours(raw) -> Decimal:
    """A number of hours as typed (``"2.5"``, ``2``); 400 when it is not a number."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("服务时长必须是数字（小时）。"), code="invalid_hours") from exc
    if not value.is_finite():
        raise ValidationFailed(_("服务时长必须是数字（小时）。"), code="invalid_hours")
    return _q(value)


def serving_assignments(order: Order):
    """The members whose hours the leader confirms: confirmed and checked in, not yet out."""
    return (
        order.assignments.select_related("volunteer")
        .filter(
            status=AssignmentStatus.CONFIRMED,
            checked_in_at__isnull=False,
            checked_out_at__isnull=True,
        )
        .order_by("id")
    )


def hours_defaults(order: Order, *, now: datetime) -> list[HoursDefault]:
    """One row per serving member: the default from check-in to now and the bounds."""
    held_since = order.dispatched_at or order.accepted_at or order.started_at or now
    maximum = min(MAX_ORDER_HOURS, _q(hours_between(held_since, now)) if now > held_since else 0)
    minimum = min_service_hours()
    rows = []
    for a in serving_assignments(order):
        start = a.checked_in_at or order.started_at or now
        default = hours_between(start, now) if now > start else Decimal("0")
        rows.append(
            HoursDefault(
                assignment=a,
                default=min(_q(default), MAX_ORDER_HOURS),
                minimum=minimum,
                maximum=Decimal(maximum),
            )
        )
    return rows


def check_lines(rows: list[HoursDefault], lines: list[HoursLine]) -> dict[int, HoursLine]:
    """Every serving member has exactly one line, each within bounds and with a reason
    where the policy wants one. Raises ``ValidationFailed`` naming the member."""
    by_id: dict[int, HoursLine] = {}
    for line in lines:
        if line.volunteer_id in by_id:
            raise ValidationFailed(_("同一名队员的时长填写了两次。"), code="duplicate_hours")
        by_id[line.volunteer_id] = line
    expected = {r.assignment.volunteer_id for r in rows}
    strangers = set(by_id) - expected
    if strangers:
        raise ValidationFailed(_("只能为本单已签到的队员确认时长。"), code="hours_not_serving")
    for r in rows:
        name = r.volunteer.name
        confirmed = by_id.get(r.assignment.volunteer_id)
        if confirmed is None:
            raise ValidationFailed(
                _("请确认 %(name)s 的服务时长。") % {"name": name}, code="hours_required"
            )
        line = confirmed
        h = _q(Decimal(line.hours))
        if h < 0:
            raise ValidationFailed(
                _("%(name)s 的服务时长不能为负数。") % {"name": name}, code="invalid_hours"
            )
        if h > 0 and h < r.minimum:
            raise ValidationFailed(
                _("%(name)s 的服务时长不足最低 %(min)s 小时；没有实际参加服务请填 0。")
                % {"name": name, "min": r.minimum},
                code="hours_below_minimum",
            )
        if h > r.maximum:
            raise ValidationFailed(
                _("%(name)s 的服务时长不能超过 %(max)s 小时（队伍接到本单至今的时间）。")
                % {"name": name, "max": r.maximum},
                code="hours_above_maximum",
            )
        reason = (line.reason or "").strip()
        if len(reason) > MAX_REASON:
            raise ValidationFailed(_("时长说明最多 200 个字。"), code="reason_too_long")
        if hours_change_needs_reason(r.default, h) and len(reason) < 2:
            raise ValidationFailed(
                _("%(name)s 的时长 %(h)s 小时与按签到签退计算的 %(d)s 小时相差较大，请说明原因。")
                % {"name": name, "h": h, "d": r.default},
                code="hours_reason_required",
            )
        by_id[r.assignment.volunteer_id] = HoursLine(r.assignment.volunteer_id, h, reason)
    return by_id


def credit_hours(
    *, order: Order, rows: list[HoursDefault], lines: dict[int, HoursLine], actor, now: datetime
) -> list[dict]:
    """Check every serving member out and write one service record per member with hours
    > 0 (verified by the leader). The record ends at completion and lasts the confirmed
    hours. Returns what was confirmed, for the completion event."""
    confirmed = []
    for r in rows:
        a = r.assignment
        line = lines[a.volunteer_id]
        record = None
        if line.hours > 0:
            started = min(a.checked_in_at or now, now - timedelta(hours=float(line.hours)))
            record = service_record_create(
                volunteer=a.volunteer,
                region=order.region,
                started_at=started,
                ended_at=now,
                hours=line.hours,
                source_type=ServiceSource.ORDER,
                source_id=order.pk,
                verification=Verification.LEADER,
                verified_by=actor,
                team=order.team,
                description=order.title,
            )
        a.checked_out_at = now
        a.service_record = record
        a.save(update_fields=["checked_out_at", "service_record"])
        confirmed.append(
            {
                "volunteer": a.volunteer.number,
                "hours": str(line.hours),
                "default": str(r.default),
                "reason": line.reason,
            }
        )
    return confirmed
