"""Volunteer reads, each scoped with ``accounts.scope``.

- Volunteers are scoped by their home region (staff and leaders there see them).
- Service records and certificates by their own region; redemptions by the site's region.
- Teams and rewards are public directory data (like sites); member lists are not.
A volunteer always sees their own profile, records, points and certificates.
"""

import re

from django.db.models import Count, Q, QuerySet

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import get_in_scope, has_role_at, restrict, scope_paths
from xinfeng.core.crypto import keyed_hash
from xinfeng.core.errors import NotAuthenticated, NotFound
from xinfeng.places.models import Site
from xinfeng.regions.models import Region, subtree_q
from xinfeng.volunteers.choices import STAR_THRESHOLDS, IdType, MembershipRole, MembershipStatus
from xinfeng.volunteers.identity import normalize_id_number
from xinfeng.volunteers.models import (
    Certificate,
    HoursDispute,
    PointsEntry,
    Redemption,
    Reward,
    ServiceRecord,
    Team,
    TeamMembership,
    Volunteer,
    VolunteerImport,
)
from xinfeng.volunteers.policy import user_leads_team

ID_LIKE = re.compile(r"^\d{17}[\dXx]$")


def volunteer_of(user) -> Volunteer | None:
    """The signed-in user's own volunteer profile, if they registered."""
    if not user.is_authenticated:
        return None
    return Volunteer.objects.select_related("home_region").filter(user=user).first()


def volunteer_list(
    *,
    user,
    q: str | None = None,
    region: Region | None = None,
    team: Team | None = None,
    political_status: str | None = None,
    min_stars: int | None = None,
    active: bool | None = None,
) -> QuerySet:
    """Volunteers whose home region is in the user's scope, filtered. ``q`` matches the name,
    the volunteer number, the full phone, or (by keyed hash) a full ID number."""
    qs = restrict(
        Volunteer.objects.select_related("home_region"), user, path_field="home_region__path"
    )
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "home_region__path"))
    if team is not None:
        qs = qs.filter(memberships__team=team, memberships__status=MembershipStatus.ACTIVE)
    if political_status:
        qs = qs.filter(political_status=political_status)
    if min_stars:
        qs = qs.filter(total_hours__gte=STAR_THRESHOLDS[min(min_stars, 5) - 1])
    if active is not None:
        qs = qs.filter(is_active=active)
    if q:
        q = q.strip()
        cond = Q(name__icontains=q) | Q(number__iexact=q)
        if q.isdigit() and len(q) == 11:
            cond |= Q(phone=q)
        if ID_LIKE.match(q):
            cond |= Q(id_number_hash=keyed_hash(f"{IdType.RESIDENT_ID}:{normalize_id_number(q)}"))
        qs = qs.filter(cond)
    return qs


def require_signed_in(user) -> None:
    """Personal records (a volunteer, their hours, certificates) are never public: an
    anonymous caller is told to sign in (401) rather than "not found"."""
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()


def volunteer_get(*, user, volunteer_id: int) -> Volunteer:
    """A volunteer the user may see: themselves, or one in their scope (else 404).
    Anonymous callers are asked to sign in (401), as for every personal record here."""
    require_signed_in(user)
    own = volunteer_of(user)
    if own is not None and own.pk == volunteer_id:
        return own
    return get_in_scope(
        Volunteer.objects.select_related("home_region", "user"),
        user,
        path_field="home_region__path",
        pk=volunteer_id,
    )


def team_list(
    *,
    region: Region | None = None,
    team_type: str | None = None,
    category: str | None = None,
    q: str | None = None,
    standby: bool | None = None,
    include_inactive: bool = False,
) -> QuerySet:
    """The public team directory."""
    qs = Team.objects.select_related("home_site", "region").annotate(
        member_count=Count("memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE))
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if team_type:
        qs = qs.filter(team_type=team_type)
    if category:
        # Categories are short JSON lists; match the quoted value (portable to SQLite).
        qs = qs.filter(service_categories__icontains=f'"{category}"')
    if standby is not None:
        qs = qs.filter(standby_24h=standby)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return qs


def team_get(*, team_id: int) -> Team:
    team = team_list(include_inactive=True).select_related("parent").filter(pk=team_id).first()
    if team is None:
        raise NotFound()
    return team


def may_see_members(user, team: Team) -> bool:
    """Staff of the team's region, its leaders and its active members see the roster."""
    if not user.is_authenticated:
        return False
    if has_role_at(user, team.region, STAFF_ROLES) or user_leads_team(user, team):
        return True
    return TeamMembership.objects.filter(
        team=team, volunteer__user=user, status=MembershipStatus.ACTIVE
    ).exists()


def team_memberships(*, user, team: Team, status: str | None = None) -> QuerySet:
    """A team's memberships (history included), for those who may see the roster."""
    if not may_see_members(user, team):
        raise NotFound()
    qs = TeamMembership.objects.filter(team=team).select_related("volunteer")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-role", "status", "id")


def membership_get(*, user, membership_id: int) -> TeamMembership:
    """A membership the user may act on or see: their own, or in a roster they may see."""
    m = (
        TeamMembership.objects.select_related("team", "team__region", "volunteer")
        .filter(pk=membership_id)
        .first()
    )
    if m is None:
        raise NotFound()
    if user.is_authenticated and m.volunteer.user_id == user.pk:
        return m
    if not may_see_members(user, m.team):
        raise NotFound()
    return m


def teams_led_by(user) -> QuerySet:
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(
        memberships__volunteer__user=user,
        memberships__role=MembershipRole.LEADER,
        memberships__status=MembershipStatus.ACTIVE,
    )


def service_record_list(
    *,
    user,
    region: Region | None = None,
    volunteer: Volunteer | None = None,
    team: Team | None = None,
    source_type: str | None = None,
    since=None,
    until=None,
) -> QuerySet:
    """Service records in the user's scope (by the region served), filtered."""
    qs = restrict(
        ServiceRecord.objects.select_related("volunteer", "team", "region"),
        user,
        path_field="region__path",
    )
    return _filter_records(qs, region, volunteer, team, source_type, since, until)


def _filter_records(qs, region, volunteer, team, source_type, since, until):
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if volunteer is not None:
        qs = qs.filter(volunteer=volunteer)
    if team is not None:
        qs = qs.filter(team=team)
    if source_type:
        qs = qs.filter(source_type=source_type)
    if since is not None:
        qs = qs.filter(started_at__gte=since)
    if until is not None:
        qs = qs.filter(started_at__lt=until)
    return qs


def own_records(volunteer: Volunteer) -> QuerySet:
    return ServiceRecord.objects.filter(volunteer=volunteer).select_related("team", "region")


def service_record_get(*, user, record_id: int) -> ServiceRecord:
    require_signed_in(user)
    own = volunteer_of(user)
    rec = ServiceRecord.objects.select_related("volunteer", "region", "team", "corrects")
    if own is not None:
        mine = rec.filter(pk=record_id, volunteer=own).first()
        if mine is not None:
            return mine
    return get_in_scope(rec, user, path_field="region__path", pk=record_id)


# A points ledger reads newest first by the date of each line (a line recorded late for
# an earlier service sits at that service's date), then by id.
LEDGER_ORDER = ("-created_at", "-id")


def points_entries(volunteer: Volunteer) -> QuerySet:
    """A volunteer's points ledger in ``LEDGER_ORDER`` (pages and API alike)."""
    return (
        PointsEntry.objects.filter(volunteer=volunteer)
        .select_related("service_record", "redemption__reward")
        .order_by(*LEDGER_ORDER)
    )


def reward_list(
    *, site: Site | None = None, region: Region | None = None, active_only: bool = True
) -> QuerySet:
    """The public shelf of the love supermarkets."""
    qs = Reward.objects.select_related("site")
    if active_only:
        qs = qs.filter(is_active=True)
    if site is not None:
        qs = qs.filter(site=site)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "site__region__path"))
    return qs


def reward_get(*, reward_id: int) -> Reward:
    reward = Reward.objects.select_related("site", "site__region").filter(pk=reward_id).first()
    if reward is None:
        raise NotFound()
    return reward


def redemption_list(*, user, site: Site | None = None, status: str | None = None) -> QuerySet:
    """Redemptions at sites in the user's staff scope."""
    qs = restrict(
        Redemption.objects.select_related("volunteer", "reward", "site"),
        user,
        path_field="site__region__path",
        roles=STAFF_ROLES,
    )
    if site is not None:
        qs = qs.filter(site=site)
    if status:
        qs = qs.filter(status=status)
    return qs


def redemption_get(*, user, redemption_id: int) -> Redemption:
    own = volunteer_of(user)
    qs = Redemption.objects.select_related("volunteer", "reward", "site", "site__region")
    if own is not None:
        mine = qs.filter(pk=redemption_id, volunteer=own).first()
        if mine is not None:
            return mine
    return get_in_scope(
        qs, user, path_field="site__region__path", roles=STAFF_ROLES, pk=redemption_id
    )


def certificate_list(*, user, volunteer: Volunteer | None = None) -> QuerySet:
    qs = restrict(
        Certificate.objects.select_related("volunteer"), user, path_field="region__path"
    ).defer("pdf")
    if volunteer is not None:
        qs = qs.filter(volunteer=volunteer)
    return qs


def certificate_get(*, user, certificate_id: int) -> Certificate:
    require_signed_in(user)
    own = volunteer_of(user)
    qs = Certificate.objects.select_related("volunteer", "region", "issuer_site")
    if own is not None:
        mine = qs.filter(pk=certificate_id, volunteer=own).first()
        if mine is not None:
            return mine
    return get_in_scope(qs, user, path_field="region__path", pk=certificate_id)


def certificate_by_number(number: str) -> Certificate:
    """Public lookup for the verification page (anyone holding the number)."""
    cert = Certificate.objects.defer("pdf").filter(number=(number or "").strip().upper()).first()
    if cert is None:
        raise NotFound()
    return cert


def import_list(*, user) -> QuerySet:
    return restrict(
        VolunteerImport.objects.select_related("region"),
        user,
        path_field="region__path",
        roles=STAFF_ROLES,
    ).defer("content_encrypted", "rejected_encrypted")


def import_get(*, user, import_id: int) -> VolunteerImport:
    return get_in_scope(
        VolunteerImport.objects.select_related("region"),
        user,
        path_field="region__path",
        roles=STAFF_ROLES,
        pk=import_id,
    )


def own_disputes(volunteer: Volunteer) -> QuerySet:
    """The volunteer's hours disputes (时长申诉), newest first."""
    return HoursDispute.objects.filter(volunteer=volunteer).select_related(
        "record", "correction", "resolved_by"
    )


def disputes_to_resolve(*, user, status: str | None = "open") -> QuerySet:
    """Disputes ``user`` may settle (``policy.may_resolve_hours_dispute``, as a query):
    on records they confirmed, of teams they lead, or in their staff scope."""
    qs = HoursDispute.objects.select_related(
        "record", "record__team", "record__region", "volunteer", "resolved_by"
    )
    if status:
        qs = qs.filter(status=status)
    if not user.is_authenticated:
        return qs.none()
    paths = scope_paths(user, STAFF_ROLES)
    if paths is None:
        return qs
    led = TeamMembership.objects.filter(
        volunteer__user=user, role=MembershipRole.LEADER, status=MembershipStatus.ACTIVE
    ).values("team_id")
    q = Q(record__verified_by=user) | Q(record__team_id__in=led)
    if paths:
        q |= subtree_q(paths, "record__region__path")
    return qs.filter(q).exclude(volunteer__user=user)
