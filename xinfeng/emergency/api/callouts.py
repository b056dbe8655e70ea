"""Call-outs: create, the live board, close; answers from the phone link."""

from django.shortcuts import get_object_or_404
from ninja import Status

from xinfeng.core.errors import ValidationFailed
from xinfeng.volunteers.models import Team

from .. import selectors
from ..services import callouts as svc
from . import router
from ._common import regions_or_400, user_of
from .schemas import AnswerIn, AnswerOut, BoardOut, CalloutIn, CalloutOut


def callout_out(c) -> dict:
    return {
        "id": c.pk,
        "incident_id": c.incident_id,
        "title": c.title,
        "status": c.status,
        "wave": c.wave,
        "recipients": c.recipients.count(),
        "left_out": (c.criteria or {}).get("left_out", {}),
    }


@router.post(
    "/incidents/{incident_id}/callouts", response={201: CalloutOut}, summary="Call people out"
)
def create_callout(request, incident_id: int, payload: CalloutIn):
    user = user_of(request)
    inc = selectors.incident_get(user=user, pk=incident_id)
    ids = list(dict.fromkeys(payload.team_ids))
    teams = list(Team.objects.filter(pk__in=ids))
    if len(teams) != len(ids):
        raise ValidationFailed(code="unknown_team")
    kwargs = payload.dict(exclude={"team_ids", "region_ids"})
    if kwargs["wave"] is None:
        kwargs.pop("wave")
    c = svc.callout_create(
        actor=user,
        incident=inc,
        teams=teams,
        regions=regions_or_400(payload.region_ids),
        **kwargs,
    )
    return Status(201, callout_out(c))


@router.get("/callouts/{callout_id}", response=CalloutOut, summary="One call-out")
def get_callout(request, callout_id: int):
    return callout_out(selectors.callout_get(user=request.user, pk=callout_id))


@router.get("/callouts/{callout_id}/board", response=BoardOut, summary="Live board counts")
def board(request, callout_id: int):
    c = selectors.callout_get(user=request.user, pk=callout_id)
    b = selectors.callout_board(c)
    return {"callout_id": c.pk, **b}


@router.post("/callouts/{callout_id}/close", response=CalloutOut, summary="Close the call-out")
def close(request, callout_id: int):
    user = user_of(request)
    c = selectors.callout_get(user=user, pk=callout_id)
    return callout_out(svc.callout_close(actor=user, callout=c))


@router.post(
    "/callouts/{callout_id}/recipients/{recipient_id}/arrived",
    response=AnswerOut,
    summary="Mark a person arrived",
)
def arrived(request, callout_id: int, recipient_id: int):
    user = user_of(request)
    c = selectors.callout_get(user=user, pk=callout_id)
    row = get_object_or_404(c.recipients, pk=recipient_id)
    row = svc.callout_mark_arrived(actor=user, recipient=row)
    return {"state": row.state, "callout_open": True}


@router.post(
    "/answers/{token}",
    response=AnswerOut,
    auth=None,
    summary="Answer a call-out from the signed link (来/不来/稍后)",
)
def answer(request, token: str, payload: AnswerIn):
    state = svc.callout_answer_by_token(token=token, answer=payload.answer)
    return {"state": state, "callout_open": True}
