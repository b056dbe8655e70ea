"""Service hours API: records in scope, backfills (补录), corrections."""

from ninja import Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit
from xinfeng.volunteers import selectors
from xinfeng.volunteers.api.profiles import own_volunteer, region_or_404, router
from xinfeng.volunteers.choices import ServiceSource
from xinfeng.volunteers.params import parse_day
from xinfeng.volunteers.schemas import BackfillIn, CorrectIn, RecordOut, RecordPage
from xinfeng.volunteers.services import ledger as services


@router.get("/records", response=RecordPage, summary="Service records in my scope")
def list_records(
    request,
    region_id: int | None = None,
    volunteer_id: int | None = None,
    team_id: int | None = None,
    source_type: ServiceSource | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = selectors.service_record_list(
        user=request.user,
        region=region_or_404(region_id),
        volunteer=selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
        if volunteer_id is not None
        else None,
        team=selectors.team_get(team_id=team_id) if team_id is not None else None,
        source_type=source_type,
        since=parse_day(since),
        until=parse_day(until, end=True),
    )
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-started_at", "-id"))
    return {"items": items, "next_cursor": nxt}


@router.get("/me/records", response=RecordPage, summary="My service records", auth=signed_in)
def my_records(request, cursor: str | None = None, limit: Limit = 50):
    qs = selectors.own_records(own_volunteer(request))
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-started_at", "-id"))
    return {"items": items, "next_cursor": nxt}


@router.get("/records/{int:record_id}", response=RecordOut)
def get_record(request, record_id: int):
    return selectors.service_record_get(user=request.user, record_id=record_id)


@router.post(
    "/records",
    response={201: RecordOut},
    summary="Backfill (补录) service: staff of the region or the team's leader",
    auth=signed_in,
)
def backfill(request, payload: BackfillIn):
    actor = request.auth
    data = payload.dict()
    from xinfeng.volunteers.models import Volunteer

    volunteer = Volunteer.objects.filter(pk=data.pop("volunteer_id")).first()
    if volunteer is None:
        raise NotFound()
    team_id = data.pop("team_id")
    record = services.service_record_backfill(
        actor=actor,
        volunteer=volunteer,
        region=region_or_404(data.pop("region_id")),
        team=selectors.team_get(team_id=team_id) if team_id is not None else None,
        **data,
    )
    return Status(201, record)


@router.post(
    "/records/{int:record_id}/correct",
    response={201: RecordOut},
    summary="Correct a record: appends a correction referencing it",
    auth=signed_in,
)
def correct(request, record_id: int, payload: CorrectIn):
    record = selectors.service_record_get(user=request.user, record_id=record_id)
    fix = services.service_record_correct(actor=request.auth, record=record, **payload.dict())
    return Status(201, fix)
