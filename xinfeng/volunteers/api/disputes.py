"""Hours disputes API (时长申诉): a volunteer disputes one of their records within the window;
whoever may settle it lists and resolves it (an upheld dispute appends a correction)."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema, Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit
from xinfeng.volunteers import selectors
from xinfeng.volunteers.api.profiles import own_volunteer, router
from xinfeng.volunteers.models import HoursDispute
from xinfeng.volunteers.services import disputes as services


class DisputeIn(Schema):
    reason: str = Field(..., max_length=300)
    claimed_hours: Decimal | None = Field(None, ge=0, le=24, decimal_places=2)


class DisputeResolveIn(Schema):
    note: str = Field(..., max_length=300)
    hours: Decimal | None = Field(
        None, ge=0, le=24, decimal_places=2, description="corrected total; omit to keep"
    )


class DisputeOut(Schema):
    id: int
    record_id: int
    volunteer_id: int
    volunteer_number: str = Field(..., alias="volunteer.number")
    record_hours: Decimal = Field(..., alias="record.hours")
    record_description: str = Field(..., alias="record.description")
    claimed_hours: Decimal | None
    reason: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    resolution: str
    correction_id: int | None


class DisputePage(Schema):
    items: list[DisputeOut]
    next_cursor: str | None


@router.post(
    "/me/records/{int:record_id}/dispute",
    response={201: DisputeOut},
    summary="Dispute the hours of one of my records (within the window)",
    auth=signed_in,
)
def open_dispute(request, record_id: int, payload: DisputeIn):
    volunteer = own_volunteer(request)
    record = selectors.own_records(volunteer).filter(pk=record_id).first()
    if record is None:
        raise NotFound()
    dispute = services.hours_dispute_open(
        actor=request.user,
        record=record,
        reason=payload.reason,
        claimed_hours=payload.claimed_hours,
    )
    return Status(201, selectors.own_disputes(volunteer).get(pk=dispute.pk))


@router.get("/me/disputes", response=DisputePage, summary="My hours disputes", auth=signed_in)
def my_disputes(request, cursor: str | None = None, limit: Limit = 50):
    qs = selectors.own_disputes(own_volunteer(request))
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-id",))
    return {"items": items, "next_cursor": nxt}


@router.get(
    "/hours/disputes",
    response=DisputePage,
    summary="Hours disputes I may settle (open by default)",
    auth=signed_in,
)
def disputes_to_resolve(
    request,
    status: HoursDispute.Status | None = HoursDispute.Status.OPEN,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = selectors.disputes_to_resolve(user=request.auth, status=status)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-id",))
    return {"items": items, "next_cursor": nxt}


@router.post(
    "/hours/disputes/{int:dispute_id}/resolve",
    response=DisputeOut,
    summary="Settle a dispute: hours → append a correction; none → keep the hours",
    auth=signed_in,
)
def resolve_dispute(request, dispute_id: int, payload: DisputeResolveIn):
    user = request.auth
    dispute = selectors.disputes_to_resolve(user=user, status=None).filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound()
    services.hours_dispute_resolve(
        actor=user, dispute=dispute, hours=payload.hours, note=payload.note
    )
    return selectors.disputes_to_resolve(user=user, status=None).get(pk=dispute_id)
