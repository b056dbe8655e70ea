"""Activity hours the organiser confirms (issue 11): the pending volunteers with their
default (check-in/out clipped to the activity) and bounds, and the confirmation."""

from decimal import Decimal

from ninja import Field, Schema

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.schema import DbId

from .. import services
from .activities import _managed, router


class PendingHoursOut(Schema):
    attendance_id: int
    volunteer_id: int
    volunteer_number: str
    volunteer_name: str
    checked_in_at: str
    checked_out_at: str
    auto_closed: bool
    default: Decimal
    minimum: Decimal
    maximum: Decimal


class HoursConfirmLine(Schema):
    attendance_id: int
    hours: Decimal = Field(..., ge=0, le=1000, decimal_places=2, description="0 = no hours")
    reason: str = Field("", max_length=200)


class HoursConfirmIn(Schema):
    lines: list[HoursConfirmLine] = Field(..., min_length=1, max_length=1000)


class HoursConfirmedOut(Schema):
    attendance_id: int
    service_record_id: int | None
    hours: Decimal | None


def _pending(activity) -> list[dict]:
    return [
        {
            "attendance_id": r["attendance"].pk,
            "volunteer_id": r["attendance"].volunteer_id,
            "volunteer_number": r["attendance"].volunteer.number,
            "volunteer_name": r["attendance"].volunteer.name,
            "checked_in_at": r["attendance"].checked_in_at.isoformat(),
            "checked_out_at": r["attendance"].checked_out_at.isoformat(),
            "auto_closed": r["attendance"].auto_closed,
            "default": r["default"],
            "minimum": r["minimum"],
            "maximum": r["maximum"],
        }
        for r in services.hours_pending(activity)
    ]


@router.get(
    "/{activity_id}/hours",
    response=list[PendingHoursOut],
    summary="Volunteers' hours awaiting the organiser (clipped to the activity)",
    auth=signed_in,
)
def pending_hours(request, activity_id: DbId):
    return _pending(_managed(request, activity_id))


@router.post(
    "/{activity_id}/hours/confirm",
    response=list[HoursConfirmedOut],
    summary="The organiser confirms hours (0 = none; a reason when far from the default)",
    auth=signed_in,
)
def confirm_hours(request, activity_id: DbId, payload: HoursConfirmIn):
    activity = _managed(request, activity_id)
    lines = {x.attendance_id: (x.hours, x.reason) for x in payload.lines}
    done = services.attendance_hours_confirm(actor=request.user, activity=activity, lines=lines)
    return [
        {
            "attendance_id": a.pk,
            "service_record_id": a.service_record_id,
            "hours": a.service_record.hours if a.service_record_id else None,
        }
        for a in done
    ]
