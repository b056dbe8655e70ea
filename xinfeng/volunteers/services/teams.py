"""Team writes: the 1+7+N teams, join requests approved by the leader, leaving with history.

Who may act: staff of the team's region manage teams and memberships; a team's active
leader (队长) decides join requests, removes members and edits the team's service details;
a volunteer requests to join and leaves.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.choices import Role
from xinfeng.accounts.scope import has_role_at, require_role_at
from xinfeng.accounts.services import role_grant
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.notifications.services import notify
from xinfeng.places.models import Site
from xinfeng.volunteers import texts as T
from xinfeng.volunteers.choices import (
    MEMBERSHIP_TRANSITIONS,
    MembershipRole,
    MembershipStatus,
    ServiceCategory,
    TeamType,
)
from xinfeng.volunteers.models import Team, TeamMembership, Volunteer
from xinfeng.volunteers.policy import require_may_take_risky_work, team_is_risky, user_leads_team

LEADER_EDITABLE = {"description", "capacity", "standby_24h", "service_categories"}
STAFF_EDITABLE = LEADER_EDITABLE | {"name", "team_type", "parent", "home_site", "is_active"}
NOT_A_VOLUNTEER = _("请先登记成为志愿者。")


def _clean_categories(categories) -> list[str]:
    categories = list(dict.fromkeys(categories or []))
    bad = [c for c in categories if c not in ServiceCategory.values]
    if bad:
        raise ValidationFailed(
            _("服务类别无效：%(bad)s") % {"bad": "、".join(map(str, bad))}, code="category_invalid"
        )
    return categories


def _check_parent(team: Team, parent: Team | None) -> None:
    if parent is None:
        return
    if team.team_type == TeamType.GENERAL:
        raise ValidationFailed(_("总队没有上级队伍。"), code="parent_invalid")
    node, seen = parent, set()
    while node is not None:
        if node.pk == team.pk and team.pk is not None:
            raise ValidationFailed(_("上级队伍不能是本队或其下级。"), code="parent_cycle")
        if node.pk in seen:
            break
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def team_create(
    *,
    actor,
    name: str,
    team_type: str,
    home_site: Site,
    parent: Team | None = None,
    service_categories=(),
    description: str = "",
    capacity: int = 3,
    standby_24h: bool = False,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Team:
    """Create a team at a site; staff of the site's region. The team's region (its scope)
    is the home site's region."""
    require_role_at(actor, home_site.region)
    team = Team(
        name=(name or "").strip(),
        team_type=team_type,
        home_site=home_site,
        region=home_site.region,
        parent=parent,
        service_categories=_clean_categories(service_categories),
        description=description or "",
        capacity=capacity,
        standby_24h=standby_24h,
        latitude=home_site.latitude if latitude is None else latitude,
        longitude=home_site.longitude if longitude is None else longitude,
    )
    _check_parent(team, parent)
    full_clean_or_raise(team, exclude=["home_site", "region", "parent"])
    team.save()
    return team


@transaction.atomic
def team_update(*, actor, team: Team, **changes) -> Team:
    """Edit a team: staff of its region edit everything; its leader edits the service
    details (description, capacity, standby, categories)."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if has_role_at(actor, team.region):
        allowed = STAFF_EDITABLE
    elif user_leads_team(actor, team):
        allowed = LEADER_EDITABLE
    else:
        raise PermissionDenied()
    unknown = set(changes) - allowed
    if unknown:
        raise PermissionDenied(_("无权修改：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    team = Team.objects.select_for_update().get(pk=team.pk)
    if "service_categories" in changes:
        changes["service_categories"] = _clean_categories(changes["service_categories"])
    if "home_site" in changes:
        require_role_at(actor, changes["home_site"].region)
        changes["region"] = changes["home_site"].region
    for field, value in changes.items():
        setattr(team, field, value)
    if "parent" in changes or "team_type" in changes:
        _check_parent(team, team.parent)
    full_clean_or_raise(team, exclude=["home_site", "region", "parent"])
    team.save()
    return team


def _leader_users(team: Team):
    return [
        m.volunteer.user
        for m in team.memberships.filter(
            role=MembershipRole.LEADER, status=MembershipStatus.ACTIVE
        ).select_related("volunteer__user")
        if m.volunteer.user_id
    ]


def _move(membership: TeamMembership, to: str) -> None:
    if to not in MEMBERSHIP_TRANSITIONS[MembershipStatus(membership.status)]:
        raise Conflict(
            _("成员状态为“%(status)s”，不能执行此操作。")
            % {"status": membership.get_status_display()},
            code="membership_state",
        )


def _may_manage_members(user, team: Team) -> bool:
    return has_role_at(user, team.region) or user_leads_team(user, team)


@transaction.atomic
def team_join_request(*, actor, team: Team, message: str = "") -> TeamMembership:
    """The volunteer asks to join; the team's leaders are notified and decide."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    volunteer = Volunteer.objects.filter(user=actor).first()
    if volunteer is None:
        raise PermissionDenied(NOT_A_VOLUNTEER, code="not_a_volunteer")
    if not team.is_active or not volunteer.is_active:
        raise Conflict(_("该队伍暂停招募。"), code="team_inactive")
    if team_is_risky(team):
        require_may_take_risky_work(volunteer)
    if TeamMembership.objects.filter(
        team=team,
        volunteer=volunteer,
        status__in=[MembershipStatus.PENDING, MembershipStatus.ACTIVE],
    ).exists():
        raise Conflict(_("您已申请或已在该队伍中。"), code="already_member")
    membership = TeamMembership.objects.create(
        team=team, volunteer=volunteer, message=(message or "").strip()[:200]
    )
    notify(
        recipients=_leader_users(team),
        title=T.JOIN_REQUEST(name=volunteer.name, team=team.name),
        link=f"/volunteers/teams/{team.pk}/",
        kind="team_join_request",
    )
    return membership


@transaction.atomic
def membership_decide(*, actor, membership: TeamMembership, approve: bool) -> TeamMembership:
    """The leader (or staff of the team's region) approves or rejects a pending request.
    Locks the membership row."""
    membership = (
        TeamMembership.objects.select_for_update(of=("self",))
        .select_related("team", "volunteer")
        .get(pk=membership.pk)
    )
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not _may_manage_members(actor, membership.team):
        raise PermissionDenied()
    to = MembershipStatus.ACTIVE if approve else MembershipStatus.REJECTED
    _move(membership, to)
    membership.status = to
    membership.decided_by = actor
    if approve:
        membership.joined_at = timezone.now()
    membership.save(update_fields=["status", "decided_by", "joined_at"])
    if membership.volunteer.user_id:
        title = (T.JOINED if approve else T.JOIN_REFUSED)(team=membership.team.name)
        notify(
            recipients=[membership.volunteer.user],
            title=title,
            link="/volunteers/me/teams/",
            kind="team_join_decided",
        )
    return membership


@transaction.atomic
def membership_leave(*, actor, membership: TeamMembership) -> TeamMembership:
    """Leave a team (or withdraw a request), or be removed by the leader or staff. The row
    stays with status ``left`` and the time, so service history keeps its team."""
    membership = (
        TeamMembership.objects.select_for_update(of=("self",))
        .select_related("team", "volunteer")
        .get(pk=membership.pk)
    )
    if not actor.is_authenticated:
        raise NotAuthenticated()
    own = membership.volunteer.user_id == actor.pk
    if not own and not _may_manage_members(actor, membership.team):
        raise PermissionDenied()
    _move(membership, MembershipStatus.LEFT)
    membership.status = MembershipStatus.LEFT
    membership.left_at = timezone.now()
    if not own:
        membership.decided_by = actor
    membership.save(update_fields=["status", "left_at", "decided_by"])
    return membership


@transaction.atomic
def team_add_member(
    *, actor, team: Team, volunteer: Volunteer, role: str = MembershipRole.MEMBER
) -> TeamMembership:
    """Staff of the team's region enrol a volunteer directly (e.g. a department's staff
    volunteers), optionally as leader."""
    require_role_at(actor, team.region)
    if role not in MembershipRole.values:
        raise ValidationFailed(_("成员角色无效。"), code="role_invalid")
    if team_is_risky(team):
        require_may_take_risky_work(volunteer)
    membership = (
        TeamMembership.objects.select_for_update(of=("self",))
        .filter(
            team=team,
            volunteer=volunteer,
            status__in=[MembershipStatus.PENDING, MembershipStatus.ACTIVE],
        )
        .first()
    )
    now = timezone.now()
    if membership is None:
        membership = TeamMembership.objects.create(
            team=team,
            volunteer=volunteer,
            role=role,
            status=MembershipStatus.ACTIVE,
            joined_at=now,
            decided_by=actor,
        )
    else:
        if membership.status == MembershipStatus.ACTIVE and membership.role == role:
            raise Conflict(_("该志愿者已在队伍中。"), code="already_member")
        membership.status, membership.role, membership.decided_by = (
            MembershipStatus.ACTIVE,
            role,
            actor,
        )
        membership.joined_at = membership.joined_at or now
        membership.save(update_fields=["status", "role", "decided_by", "joined_at"])
    if role == MembershipRole.LEADER and volunteer.user_id:
        role_grant(user=volunteer.user, role=Role.TEAM_LEADER, region=team.region)
    return membership


@transaction.atomic
def membership_set_role(*, actor, membership: TeamMembership, role: str) -> TeamMembership:
    """Staff of the team's region appoint or step down a leader (active members only)."""
    membership = (
        # Lock the membership row only: PostgreSQL refuses FOR UPDATE on the nullable side
        # of the outer join to the volunteer's user.
        TeamMembership.objects.select_for_update(of=("self",))
        .select_related("team", "volunteer__user")
        .get(pk=membership.pk)
    )
    require_role_at(actor, membership.team.region)
    if role not in MembershipRole.values:
        raise ValidationFailed(_("成员角色无效。"), code="role_invalid")
    if membership.status != MembershipStatus.ACTIVE:
        raise Conflict(_("只有在队成员可以设置角色。"), code="membership_state")
    membership.role = role
    membership.save(update_fields=["role"])
    if role == MembershipRole.LEADER and membership.volunteer.user_id:
        role_grant(
            user=membership.volunteer.user, role=Role.TEAM_LEADER, region=membership.team.region
        )
    return membership
