"""Incidents: list, declare, read with the timeline, change the level, close, notices."""

from django.urls import reverse
from ninja import Status

from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit

from .. import selectors
from ..services import incidents as svc
from . import router
from ._common import region_or_400, regions_or_400, user_of
from .schemas import (
    IncidentDetail,
    IncidentIn,
    IncidentPage,
    LevelIn,
    NoteIn,
    NoticeIn,
    NoticeOut,
)


def incident_out(inc) -> dict:
    return {
        "id": inc.pk,
        "title": inc.title,
        "kind": inc.kind,
        "level": inc.level,
        "region_id": inc.region_id,
        "affected_region_ids": sorted(r.pk for r in inc.affected_regions.all()),
        "is_exercise": inc.is_exercise,
        "status": inc.status,
        "declared_at": inc.declared_at,
        "closed_at": inc.closed_at,
    }


def incident_detail(inc) -> dict:
    return {
        **incident_out(inc),
        "events": [
            {
                "action": e.action,
                "note": e.note,
                "actor": e.actor.name if e.actor else None,
                "created_at": e.created_at,
            }
            for e in inc.events.select_related("actor")
        ],
    }


@router.get("/incidents", response=IncidentPage, summary="Incidents the caller may read")
def list_incidents(
    request,
    status: str | None = None,
    exercise: bool | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = selectors.incident_list(user=request.user, status=status, exercise=exercise)
    items, nxt = keyset_page(
        qs.prefetch_related("affected_regions"), cursor=cursor, limit=limit, ordering=("-id",)
    )
    return {"items": [incident_out(i) for i in items], "next_cursor": nxt}


@router.post("/incidents", response={201: IncidentDetail}, summary="Declare an incident")
def declare(request, payload: IncidentIn):
    user = user_of(request)
    inc = svc.incident_declare(
        actor=user,
        region=region_or_400(payload.region_id),
        title=payload.title,
        kind=payload.kind,
        level=payload.level,
        affected_regions=regions_or_400(payload.affected_region_ids),
        is_exercise=payload.is_exercise,
        description=payload.description,
    )
    return Status(201, incident_detail(inc))


@router.get(
    "/incidents/{incident_id}", response=IncidentDetail, summary="One incident and its timeline"
)
def get_incident(request, incident_id: int):
    return incident_detail(selectors.incident_get(user=request.user, pk=incident_id))


@router.post("/incidents/{incident_id}/level", response=IncidentDetail, summary="Change the level")
def set_level(request, incident_id: int, payload: LevelIn):
    user = user_of(request)
    inc = selectors.incident_get(user=user, pk=incident_id)
    return incident_detail(
        svc.incident_set_level(actor=user, incident=inc, level=payload.level, note=payload.note)
    )


@router.post(
    "/incidents/{incident_id}/close", response=IncidentDetail, summary="Close the incident"
)
def close(request, incident_id: int, payload: NoteIn):
    user = user_of(request)
    inc = selectors.incident_get(user=user, pk=incident_id)
    return incident_detail(svc.incident_close(actor=user, incident=inc, note=payload.note))


@router.post(
    "/incidents/{incident_id}/notices",
    response={201: NoticeOut},
    summary="Publish a public notice (CAP)",
)
def publish_notice(request, incident_id: int, payload: NoticeIn):
    user = user_of(request)
    inc = selectors.incident_get(user=user, pk=incident_id)
    n = svc.notice_publish(actor=user, incident=inc, **payload.dict())
    return Status(
        201,
        {
            "id": n.pk,
            "identifier": str(n.identifier),
            "headline": n.headline,
            "cap_url": reverse("emergency:cap_alert", args=[n.identifier]),
        },
    )
