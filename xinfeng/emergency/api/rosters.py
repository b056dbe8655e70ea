"""Standby rosters: a team's shifts and who is on standby now; unavailability; a
volunteer's emergency skills and home village."""

from django.shortcuts import get_object_or_404
from ninja import Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.volunteers.models import Team, Volunteer

from ..models import StandbyShift
from ..services import rosters as svc
from . import router
from ._common import region_or_400, user_of
from .schemas import (
    EmergencyProfileIn,
    ProfileOut,
    RosterOut,
    StandbyShiftIn,
    StandbyShiftOut,
    UnavailabilityIn,
)


def shift_out(s) -> dict:
    return {
        "id": s.pk,
        "team_id": s.team_id,
        "name": s.name,
        "weekdays": s.weekdays,
        "start_time": s.start_time,
        "end_time": s.end_time,
        "member_ids": sorted(m.pk for m in s.members.all()),
    }


def _team_for(user, team_id):
    team = get_object_or_404(Team, pk=team_id)
    if not svc.may_keep_roster(user, team):
        raise PermissionDenied(svc.NOT_ROSTER_KEEPER)
    return team


@router.get(
    "/teams/{team_id}/roster",
    response=RosterOut,
    summary="A team's rota and who is on standby now",
    auth=signed_in,
)
def roster(request, team_id: int):
    team = _team_for(user_of(request), team_id)
    shifts = StandbyShift.objects.filter(team=team).prefetch_related("members")
    return {
        "team_id": team.pk,
        "shifts": [shift_out(s) for s in shifts],
        "on_standby_now": sorted(svc.on_standby_ids([team.pk])),
    }


@router.post(
    "/teams/{team_id}/shifts", response={201: StandbyShiftOut}, summary="Add a standby shift"
)
def add_shift(request, team_id: int, payload: StandbyShiftIn):
    user = user_of(request)
    team = _team_for(user, team_id)
    ids = list(dict.fromkeys(payload.member_ids))
    members = list(Volunteer.objects.filter(pk__in=ids))
    if len(members) != len(ids):
        raise ValidationFailed(code="unknown_volunteer")
    s = svc.shift_create(
        actor=user,
        team=team,
        name=payload.name,
        weekdays=payload.weekdays,
        start_time=payload.start_time,
        end_time=payload.end_time,
        members=members,
    )
    return Status(201, shift_out(s))


@router.post("/unavailability", response={201: dict}, summary="Record a period of unavailability")
def add_unavailability(request, payload: UnavailabilityIn):
    user = user_of(request)
    if payload.volunteer_id is None:
        volunteer = getattr(user, "volunteer", None)
    else:
        volunteer = Volunteer.objects.filter(pk=payload.volunteer_id).first()
    if volunteer is None:
        raise ValidationFailed(code="unknown_volunteer")
    row = svc.unavailability_add(
        actor=user,
        volunteer=volunteer,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        reason=payload.reason,
    )
    return Status(201, {"id": row.pk})


@router.put("/me/profile", response=ProfileOut, summary="My emergency skills and home village")
def set_profile(request, payload: EmergencyProfileIn):
    user = user_of(request)
    volunteer = getattr(user, "volunteer", None)
    if volunteer is None:
        raise ValidationFailed(code="not_a_volunteer")
    village = region_or_400(payload.home_village_id) if payload.home_village_id else None
    p = svc.profile_set(
        actor=user, volunteer=volunteer, skills=payload.skills, home_village=village
    )
    return {"volunteer_id": volunteer.pk, "skills": p.skills, "home_village_id": p.home_village_id}
