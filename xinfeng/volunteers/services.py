"""Volunteer writes. ``service_record_create`` is the one way any app credits hours."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from xinfeng.core.errors import ValidationFailed
from xinfeng.places.models import Region

from .choices import PointsKind, Verification
from .models import PointsEntry, ServiceRecord, Team, Volunteer

POINTS_PER_HOUR = getattr(settings, "XINFENG_POINTS_PER_HOUR", 10)


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
) -> ServiceRecord:
    """Credit verified service hours and the points they earn.

    Locks the volunteer row (balance and totals change). Hours are the served time in hours,
    rounded to 0.01. Raises ``ValidationFailed`` when the end is not after the start.
    """
    if ended_at <= started_at:
        raise ValidationFailed(_("结束时间必须晚于开始时间。"), code="end_before_start")
    hours = (Decimal((ended_at - started_at).total_seconds()) / Decimal(3600)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    record = ServiceRecord.objects.create(
        volunteer=volunteer,
        region=region,
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        source_type=source_type,
        source_id=source_id,
        verification=verification,
        verified_by=verified_by,
        team=team,
        description=description[:200],
        is_backfill=is_backfill or verification == Verification.BACKFILL,
    )
    points = int((hours * POINTS_PER_HOUR).to_integral_value(rounding=ROUND_HALF_UP))
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    Volunteer.objects.filter(pk=locked.pk).update(
        total_hours=F("total_hours") + hours, points_balance=F("points_balance") + points
    )
    PointsEntry.objects.create(
        volunteer=locked,
        kind=PointsKind.EARN,
        delta=points,
        balance_after=locked.points_balance + points,
        service_record=record,
        reason=description[:200],
        created_by=verified_by,
    )
    return record
