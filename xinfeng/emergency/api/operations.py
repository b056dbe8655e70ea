"""Tasks with places, temporary stations (check-in, services) and sitreps."""

from django.shortcuts import get_object_or_404
from ninja import Status

from xinfeng.core.errors import NotFound, ValidationFailed
from xinfeng.volunteers.models import Team, Volunteer

from .. import selectors
from ..models import Sitrep, Station
from ..services import needs as need_svc
from ..services import sitreps as sitrep_svc
from ..services import stations as station_svc
from . import router
from ._common import region_or_400, user_of
from .schemas import (
    CommitIn,
    NeedIn,
    NeedOut,
    ServiceIn,
    ShiftOut,
    SitrepIn,
    SitrepOut,
    StationCheckIn,
    StationIn,
    StationOut,
    StationProjectIn,
)


def need_out(n) -> dict:
    return {
        "id": n.pk,
        "incident_id": n.incident_id,
        "title": n.title,
        "places": n.places,
        "taken": n.taken,
        "status": n.status,
    }


def station_out(s) -> dict:
    return {
        "id": s.pk,
        "incident_id": s.incident_id,
        "site_id": s.site_id,
        "name": s.site.name,
        "opened_at": s.opened_at,
        "closed_at": s.closed_at,
    }


def shift_out(s) -> dict:
    return {
        "id": s.pk,
        "station_id": s.station_id,
        "volunteer_id": s.volunteer_id,
        "checked_in_at": s.checked_in_at,
        "checked_out_at": s.checked_out_at,
        "hours": float(s.record.hours) if s.record_id else None,
    }


def sitrep_out(r) -> dict:
    return {
        "id": r.pk,
        "incident_id": r.incident_id,
        "number": r.number,
        "figures": r.figures,
        "text": r.text,
        "created_at": r.created_at,
    }


@router.post("/incidents/{incident_id}/needs", response={201: NeedOut}, summary="Open a task")
def create_need(request, incident_id: int, payload: NeedIn):
    user = user_of(request)
    inc = selectors.incident_get(user=user, pk=incident_id)
    data = payload.dict()
    region = region_or_400(data.pop("region_id"))
    return Status(
        201, need_out(need_svc.need_create(actor=user, incident=inc, region=region, **data))
    )


@router.get("/needs/{need_id}", response=NeedOut, summary="One task")
def get_need(request, need_id: int):
    return need_out(selectors.need_get(user=request.user, pk=need_id))


@router.post(
    "/needs/{need_id}/commit",
    response={201: NeedOut},
    summary="Commit to places of a task (来): yourself, or a team you lead",
)
def commit(request, need_id: int, payload: CommitIn):
    user = user_of(request)
    need = selectors.need_get(user=user, pk=need_id)
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise ValidationFailed(code="unknown_team")
        need_svc.need_commit(actor=user, need=need, team=team, count=payload.count)
    else:
        volunteer = getattr(user, "volunteer", None)
        if volunteer is None:
            raise ValidationFailed(code="not_a_volunteer")
        need_svc.need_commit(actor=user, need=need, volunteer=volunteer)
    need.refresh_from_db()
    return Status(201, need_out(need))


@router.post("/needs/{need_id}/close", response=NeedOut, summary="Close a task")
def close_need(request, need_id: int):
    user = user_of(request)
    need = selectors.need_get(user=user, pk=need_id)
    return need_out(need_svc.need_close(actor=user, need=need))


@router.post(
    "/incidents/{incident_id}/stations",
    response={201: StationOut},
    summary="Open a temporary station at a resettlement point",
)
def open_station(request, incident_id: int, payload: StationIn):
    user = user_of(request)
    inc = selectors.incident_get(user=user, pk=incident_id)
    data = payload.dict()
    region = region_or_400(data.pop("region_id"))
    station = station_svc.station_open(actor=user, incident=inc, region=region, **data)
    return Status(201, station_out(station))


@router.get("/stations/{station_id}", response=StationOut, summary="One temporary station")
def get_station(request, station_id: int):
    return station_out(selectors.station_get(user=request.user, pk=station_id))


@router.post("/stations/{station_id}/close", response=StationOut, summary="Close the station")
def close_station(request, station_id: int):
    user = user_of(request)
    s = selectors.station_get(user=user, pk=station_id)
    return station_out(station_svc.station_close(actor=user, station=s))


@router.post(
    "/stations/{station_id}/services",
    response={201: dict},
    summary="Add a service (an activity) at the station",
)
def add_service(request, station_id: int, payload: ServiceIn):
    user = user_of(request)
    s = selectors.station_get(user=user, pk=station_id)
    a = station_svc.station_service_add(actor=user, station=s, **payload.dict())
    return Status(201, {"activity_id": a.pk, "state": a.state})


@router.post(
    "/stations/{station_id}/projects",
    response={201: dict},
    summary="Add a service residents at the point can order (a project of the station)",
)
def add_project(request, station_id: int, payload: StationProjectIn):
    user = user_of(request)
    s = selectors.station_get(user=user, pk=station_id)
    p = station_svc.station_project_add(actor=user, station=s, **payload.dict())
    return Status(201, {"project_id": p.pk, "status": p.status})


def _station_for_check(request, station_id, payload):
    """A volunteer checks themself in with the station's code (no scope needed: the code
    is the proof of presence); staff check others in within their scope."""
    user = user_of(request)
    if payload.volunteer_id is None:
        station = get_object_or_404(
            Station.objects.select_related("incident__region", "site__region"),
            pk=station_id,
        )
        volunteer = getattr(user, "volunteer", None)
        if volunteer is None:
            raise ValidationFailed(code="not_a_volunteer")
    else:
        station = selectors.station_get(user=user, pk=station_id)
        volunteer = Volunteer.objects.filter(pk=payload.volunteer_id).first()
        if volunteer is None:
            raise NotFound()
    return user, station, volunteer


@router.post("/stations/{station_id}/checkin", response={201: ShiftOut}, summary="Arrival check-in")
def checkin(request, station_id: int, payload: StationCheckIn):
    user, station, volunteer = _station_for_check(request, station_id, payload)
    s = station_svc.station_checkin(
        actor=user,
        station=station,
        volunteer=volunteer,
        method=payload.method,
        token=payload.token,
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    return Status(201, shift_out(s))


@router.post(
    "/stations/{station_id}/checkout",
    response=ShiftOut,
    summary="Departure: credits emergency service hours",
)
def checkout(request, station_id: int, payload: StationCheckIn):
    user, station, volunteer = _station_for_check(request, station_id, payload)
    s = station_svc.station_checkout(
        actor=user,
        station=station,
        volunteer=volunteer,
        method=payload.method,
        token=payload.token,
    )
    return shift_out(s)


@router.post(
    "/incidents/{incident_id}/sitreps",
    response={201: SitrepOut},
    summary="Generate the next numbered sitrep",
)
def create_sitrep(request, incident_id: int, payload: SitrepIn):
    user = user_of(request)
    inc = selectors.incident_get(user=user, pk=incident_id)
    return Status(
        201, sitrep_out(sitrep_svc.sitrep_create(actor=user, incident=inc, text=payload.text))
    )


@router.get("/sitreps/{sitrep_id}", response=SitrepOut, summary="One sitrep")
def get_sitrep(request, sitrep_id: int):
    r = get_object_or_404(Sitrep, pk=sitrep_id)
    selectors.incident_get(user=request.user, pk=r.incident_id)
    return sitrep_out(r)
