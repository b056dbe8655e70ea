"""Every read of governance, already scoped to the user (``accounts.scope``): a site,
group or handover outside the reader's scope answers 404 like a missing one."""

from datetime import date, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from xinfeng.accounts.choices import READ_ROLES
from xinfeng.accounts.scope import get_in_scope, restrict, scope_paths
from xinfeng.core.errors import NotFound
from xinfeng.places.models import Site
from xinfeng.regions.models import Region, subtree_q

from . import policy
from .choices import Gap
from .models import (
    Decision,
    GroupMember,
    Handover,
    LeadingGroup,
    Meeting,
    ResponsibleTerm,
    SiteStaff,
)


def today() -> date:
    return timezone.localdate()


def in_office_q(on: date | None = None) -> Q:
    """Terms and staff posts running on ``on`` (today): started, and not yet ended."""
    on = on or today()
    return Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def with_people(qs: QuerySet, on: date | None = None) -> QuerySet:
    """Sites annotated with the responsible person in office (``resp_name``,
    ``resp_post``, ``resp_user_id``) and the number of staff in post (``staff_n``)."""
    on = on or today()
    term = ResponsibleTerm.objects.filter(in_office_q(on), site=OuterRef("pk")).order_by(
        "-starts_on", "-id"
    )
    staff = (
        SiteStaff.objects.filter(in_office_q(on), site=OuterRef("pk"))
        .order_by()
        .values("site")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(
        resp_name=Subquery(term.values("name")[:1]),
        resp_post=Subquery(term.values("post")[:1]),
        resp_user_id=Subquery(term.values("user_id")[:1]),
        staff_n=Coalesce(Subquery(staff, output_field=IntegerField()), 0),
    )


def governed_sites() -> QuerySet:
    """Open centers, institutes and stations (the sites with a 一把手 and staff)."""
    return Site.objects.open_at().filter(level__in=policy.GOVERNED_LEVELS)


def site_list(*, user, q: str = "", gaps_only: bool = False) -> QuerySet:
    """Governed sites in the reader's scope, with their people; ``gaps_only``: those
    without a responsible person in office or without staff."""
    qs = with_people(restrict(governed_sites().select_related("region"), user, roles=READ_ROLES))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(region__name__icontains=q))
    if gaps_only:
        qs = qs.filter(Q(resp_name__isnull=True) | Q(staff_n=0))
    return qs.order_by("region__path", "level", "name", "id")


def gaps_of(row) -> list[str]:
    """The gaps of a row of ``with_people``."""
    out = []
    if row.resp_name is None:
        out.append(Gap.NO_RESPONSIBLE)
    if not row.staff_n:
        out.append(Gap.NO_STAFF)
    return out


def all_gaps() -> list[tuple[Site, list[str]]]:
    """Every governed site with a gap, unscoped (the worker's notices, the rollup)."""
    rows = with_people(governed_sites().select_related("parent__region", "region")).filter(
        Q(resp_name__isnull=True) | Q(staff_n=0)
    )
    return [(s, gaps_of(s)) for s in rows]


def gap_counts_by_region() -> list[tuple[int, int, int]]:
    """(region id, sites without a responsible person, sites without staff) per region
    holding such sites — the leaf values the dashboard rollup adds up the tree."""
    counts: dict[int, list[int]] = {}
    rows = with_people(governed_sites()).filter(Q(resp_name__isnull=True) | Q(staff_n=0))
    for region_id, resp, staff_n in rows.values_list("region_id", "resp_name", "staff_n"):
        c = counts.setdefault(region_id, [0, 0])
        c[0] += resp is None
        c[1] += not staff_n
    return [(rid, a, b) for rid, (a, b) in counts.items()]


def site_get(*, user, site_id: int) -> Site:
    """A governed site the user reads (staff or leader of its region or above)."""
    return get_in_scope(
        governed_sites().select_related("region", "parent__region"),
        user,
        roles=READ_ROLES,
        pk=site_id,
    )


def terms_of(site: Site) -> QuerySet:
    return ResponsibleTerm.objects.filter(site=site).select_related("user")


def staff_of(site: Site, *, current_only: bool = False) -> QuerySet:
    qs = SiteStaff.objects.filter(site=site)
    if current_only:
        qs = qs.filter(in_office_q())
    return qs


def current_term(site: Site) -> ResponsibleTerm | None:
    return terms_of(site).filter(in_office_q()).order_by("-starts_on", "-id").first()


def handovers_for(*, user, q: str = "") -> QuerySet:
    """Handovers at sites the user reads, and those handed to or by the user."""
    if not user.is_authenticated:
        return Handover.objects.none()
    mine = Q(successor_id=user.pk) | Q(predecessor_id=user.pk)
    paths = scope_paths(user, READ_ROLES)
    if paths is None:
        cond = Q()
    elif paths:
        cond = subtree_q(paths, "site__region__path") | mine
    else:
        cond = mine
    qs = Handover.objects.filter(cond).select_related("site", "site__region")
    if q:
        qs = qs.filter(
            Q(site__name__icontains=q)
            | Q(successor_name__icontains=q)
            | Q(predecessor_name__icontains=q)
        )
    return qs.order_by("-handed_over_on", "-id")


def handover_get(*, user, handover_id: int) -> Handover:
    h = (
        Handover.objects.select_related("site", "site__region", "site__parent__region")
        .filter(pk=handover_id)
        .first()
    )
    if h is None or not policy.may_read_handover(user, h):
        raise NotFound()
    return h


# Open items at a site, read through the owning apps' own selectors ------------------
OPEN_ITEMS_LIMIT = 100
BOOKING_HORIZON_DAYS = 180


def open_items_at(*, actor, site: Site) -> list[dict]:
    """What is open at ``site`` as ``actor`` (the person recording the handover) sees it:
    orders still moving, activities not finished or cancelled, room bookings to come.
    Each app's own selector decides what is open and what the actor may see."""
    from xinfeng.activities.choices import EDITABLE_STATES
    from xinfeng.activities.selectors import activities_managed_by, venue_bookings
    from xinfeng.orders.choices import OPEN_STATES
    from xinfeng.orders.selectors import order_list
    from xinfeng.places.models import Venue

    now = timezone.now()
    items: list[dict] = []
    orders = order_list(user=actor, site_id=site.pk, states=list(OPEN_STATES)).order_by("id")
    for o in orders[:OPEN_ITEMS_LIMIT]:
        items.append(
            {
                "kind": "order",
                "id": o.pk,
                "title": o.title,
                "state": o.state,
                "when": _iso(o.created_at),
            }
        )
    activities = (
        activities_managed_by(user=actor)
        .filter(site=site, state__in=EDITABLE_STATES, ends_at__gte=now)
        .order_by("starts_at", "id")
    )
    for a in activities[:OPEN_ITEMS_LIMIT]:
        items.append(
            {
                "kind": "activity",
                "id": a.pk,
                "title": a.title,
                "state": a.state,
                "when": _iso(a.starts_at),
            }
        )
    end = now + timedelta(days=BOOKING_HORIZON_DAYS)
    for venue in Venue.objects.filter(site=site, is_active=True).order_by("id")[:20]:
        for b in venue_bookings(venue=venue, start=now, end=end, user=actor)[:OPEN_ITEMS_LIMIT]:
            items.append(
                {
                    "kind": "booking",
                    "id": b.pk,
                    "title": f"{venue.name} · {b.title}",
                    "state": b.state,
                    "when": _iso(b.starts_at),
                }
            )
    return items


def _iso(value) -> str:
    return timezone.localtime(value).isoformat(timespec="minutes") if value else ""


# Leading groups ---------------------------------------------------------------------
def group_list(*, user, q: str = "") -> QuerySet:
    qs = restrict(
        LeadingGroup.objects.select_related("region").annotate(
            member_n=Count("members", distinct=True), meeting_n=Count("meetings", distinct=True)
        ),
        user,
        roles=READ_ROLES,
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(region__name__icontains=q))
    return qs.order_by("region__path", "id")


def group_get(*, user, group_id: int) -> LeadingGroup:
    return get_in_scope(
        LeadingGroup.objects.select_related("region"), user, roles=READ_ROLES, pk=group_id
    )


def members_of(group: LeadingGroup) -> QuerySet:
    return GroupMember.objects.filter(group=group)


def meetings_of(group: LeadingGroup) -> QuerySet:
    return Meeting.objects.filter(group=group).prefetch_related("decisions")


def meeting_get(*, user, meeting_id: int) -> Meeting:
    return get_in_scope(
        Meeting.objects.select_related("group", "group__region"),
        user,
        path_field="group__region__path",
        roles=READ_ROLES,
        pk=meeting_id,
    )


def decision_get(*, user, decision_id: int) -> Decision:
    return get_in_scope(
        Decision.objects.select_related("meeting", "meeting__group", "meeting__group__region"),
        user,
        path_field="meeting__group__region__path",
        roles=READ_ROLES,
        pk=decision_id,
    )


def region_for_group(*, user, region_id: int) -> Region:
    """A region the user reads (for starting its group)."""
    return get_in_scope(
        Region.objects.all(), user, path_field="path", roles=READ_ROLES, pk=region_id
    )
