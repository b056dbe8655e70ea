"""Teams API: the public team directory; rosters, join requests and leaders (scoped)."""

from ninja import Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import Limit
from xinfeng.places.models import Site
from xinfeng.volunteers import selectors
from xinfeng.volunteers.api.profiles import region_or_404, router
from xinfeng.volunteers.choices import MembershipStatus, ServiceCategory, TeamType
from xinfeng.volunteers.models import Volunteer
from xinfeng.volunteers.schemas import (
    AddMemberIn,
    JoinIn,
    MembershipOut,
    MembershipPage,
    RoleIn,
    TeamIn,
    TeamOut,
    TeamPage,
    TeamPatch,
)
from xinfeng.volunteers.services import teams


def site_or_404(site_id: int) -> Site:
    site = Site.objects.select_related("region").filter(pk=site_id).first()
    if site is None:
        raise NotFound()
    return site


def team_or_404(team_id: int | None):
    return selectors.team_get(team_id=team_id) if team_id is not None else None


@router.get("/teams", response=TeamPage, summary="Team directory (public)")
def list_teams(
    request,
    region_id: int | None = None,
    team_type: TeamType | None = None,
    category: ServiceCategory | None = None,
    standby: bool | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = selectors.team_list(
        region=region_or_404(region_id),
        team_type=team_type,
        category=category,
        q=q,
        standby=standby,
    )
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": items, "next_cursor": nxt}


@router.get("/teams/{int:team_id}", response=TeamOut)
def get_team(request, team_id: int):
    return selectors.team_get(team_id=team_id)


@router.post(
    "/teams",
    response={201: TeamOut},
    summary="Create a team (staff of the site's region)",
    auth=signed_in,
)
def create_team(request, payload: TeamIn):
    data = payload.dict()
    data["home_site"] = site_or_404(data.pop("home_site_id"))
    data["parent"] = team_or_404(data.pop("parent_id"))
    team = teams.team_create(actor=request.auth, **data)
    return Status(201, selectors.team_get(team_id=team.pk))


@router.patch("/teams/{int:team_id}", response=TeamOut, auth=signed_in)
def update_team(request, team_id: int, payload: TeamPatch):
    team = selectors.team_get(team_id=team_id)
    # ``parent_id: null`` detaches the team; any other ``null`` means "leave as is".
    changes = {
        k: v
        for k, v in payload.dict(exclude_unset=True).items()
        if v is not None or k == "parent_id"
    }
    if "home_site_id" in changes:
        changes["home_site"] = site_or_404(changes.pop("home_site_id"))
    if "parent_id" in changes:
        changes["parent"] = team_or_404(changes.pop("parent_id"))
    teams.team_update(actor=request.auth, team=team, **changes)
    return selectors.team_get(team_id=team_id)


@router.get("/teams/{int:team_id}/members", response=MembershipPage, summary="Roster (scoped)")
def team_members(
    request,
    team_id: int,
    status: MembershipStatus | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
):
    team = selectors.team_get(team_id=team_id)
    qs = selectors.team_memberships(user=request.user, team=team, status=status)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": items, "next_cursor": nxt}


@router.post(
    "/teams/{int:team_id}/members",
    response={201: MembershipOut},
    summary="Enrol (staff)",
    auth=signed_in,
)
def add_member(request, team_id: int, payload: AddMemberIn):
    team = selectors.team_get(team_id=team_id)
    volunteer = Volunteer.objects.filter(pk=payload.volunteer_id).first()
    if volunteer is None:
        raise NotFound()
    volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer.pk)
    m = teams.team_add_member(actor=request.auth, team=team, volunteer=volunteer, role=payload.role)
    return Status(201, m)


@router.post(
    "/teams/{int:team_id}/join",
    response={201: MembershipOut},
    summary="Ask to join",
    auth=signed_in,
)
def join_team(request, team_id: int, payload: JoinIn):
    team = selectors.team_get(team_id=team_id)
    m = teams.team_join_request(actor=request.auth, team=team, message=payload.message)
    return Status(201, m)


@router.get(
    "/me/teams",
    response=MembershipPage,
    summary="My memberships (history included)",
    auth=signed_in,
)
def my_teams(request, cursor: str | None = None, limit: Limit = 50):
    from xinfeng.volunteers.api.profiles import own_volunteer

    volunteer = own_volunteer(request)
    qs = volunteer.memberships.select_related("volunteer", "team")
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": nxt}


@router.post("/memberships/{int:membership_id}/approve", response=MembershipOut, auth=signed_in)
def approve(request, membership_id: int):
    m = selectors.membership_get(user=request.user, membership_id=membership_id)
    return teams.membership_decide(actor=request.auth, membership=m, approve=True)


@router.post("/memberships/{int:membership_id}/reject", response=MembershipOut, auth=signed_in)
def reject(request, membership_id: int):
    m = selectors.membership_get(user=request.user, membership_id=membership_id)
    return teams.membership_decide(actor=request.auth, membership=m, approve=False)


@router.post(
    "/memberships/{int:membership_id}/leave",
    response=MembershipOut,
    summary="Leave (own), or remove a member (leader/staff); history is kept",
    auth=signed_in,
)
def leave(request, membership_id: int):
    m = selectors.membership_get(user=request.user, membership_id=membership_id)
    return teams.membership_leave(actor=request.auth, membership=m)


@router.post("/memberships/{int:membership_id}/role", response=MembershipOut, auth=signed_in)
def set_role(request, membership_id: int, payload: RoleIn):
    m = selectors.membership_get(user=request.user, membership_id=membership_id)
    return teams.membership_set_role(actor=request.auth, membership=m, role=payload.role)
