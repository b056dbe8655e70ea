"""Reads of orders, always scoped to the user.

Who sees an order: staff and leaders whose region covers its place; its requester and
whoever entered it; the team it was dispatched to (all active members) and the volunteers
named for it; leaders of teams whose area covers an order open for grabbing. A rejected
order therefore stays visible to its creator and staff only. Everything else answers 404.
"""

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from xinfeng.accounts.choices import READ_ROLES, STAFF_ROLES
from xinfeng.accounts.scope import is_system_admin, scope_paths
from xinfeng.core.errors import NotFound
from xinfeng.core.pagination import keyset_page
from xinfeng.regions.models import subtree_q
from xinfeng.regions.subtrees import subtree_ids
from xinfeng.volunteers.choices import MembershipRole, MembershipStatus
from xinfeng.volunteers.models import Team, TeamMembership

from .choices import OrderState
from .models import FollowUp, Order, OrderAssignment, OrderEvent

LIST_RELATED = ("region", "site", "team", "project")


def _member_team_ids(user, *, leader_only: bool = False) -> list[int]:
    qs = TeamMembership.objects.filter(volunteer__user=user, status=MembershipStatus.ACTIVE)
    if leader_only:
        qs = qs.filter(role=MembershipRole.LEADER)
    return list(qs.values_list("team_id", flat=True))


def led_teams(user) -> QuerySet:
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(
        pk__in=_member_team_ids(user, leader_only=True), is_active=True
    ).select_related("region", "home_site")


def user_memberships(user) -> list[tuple[int, str, str, bool]]:
    """The user's active memberships as (team id, role, path of the team's region, team is
    active), one query: what ``led_team_ids`` and ``visibility_branches`` both read, so a
    page that needs both (the team inbox) reads it once and passes it to each."""
    if not user.is_authenticated:
        return []
    return list(
        TeamMembership.objects.filter(
            volunteer__user=user, status=MembershipStatus.ACTIVE
        ).values_list("team_id", "role", "team__region__path", "team__is_active")
    )


def led_team_ids(user, memberships: list | None = None) -> list[int]:
    """Ids of ``led_teams(user)``, ascending, from ``user_memberships`` (read here unless
    given)."""
    if not user.is_authenticated:
        return []
    if memberships is None:
        memberships = user_memberships(user)
    return sorted(
        {
            team
            for team, role, _path, active in memberships
            if active and role == MembershipRole.LEADER
        }
    )


# Up to this many regions, a scope is written as ``region_id IN (…)`` (index-friendly, no
# join); a larger one (a province admin) as a range on the joined region path.
MAX_REGION_IDS = 500
# Orders a volunteer was named for, read into the filter (newest first).
MAX_ASSIGNED = 1000
# The columns a list row needs (the rest — description, report, deadlines — stay unread).
LIST_FIELDS = (
    "id", "title", "state", "category", "channel", "project_id", "region_id", "address",
    "site_id", "team_id", "is_open", "contact_name", "contact_phone", "wanted_from",
    "wanted_until", "submitted_at", "reviewed_at", "dispatched_at", "accepted_at",
    "started_at", "completed_at", "rated_at", "due_at", "escalation_level", "rating_level",
    "rating_is_auto", "region__name", "site__name", "team__name", "project__name",
)  # fmt: skip


def region_scope_q(paths: list[str], field: str = "region") -> Q:
    """Rows whose region lies in any of the subtrees ``paths`` (region ids cached: see
    xinfeng.regions.subtrees)."""
    ids = subtree_ids(paths, MAX_REGION_IDS + 1)
    if len(ids) <= MAX_REGION_IDS:
        return Q(**{f"{field}_id__in": ids})
    return subtree_q(paths, f"{field}__path")


def visibility_branches(
    user, *, lean: bool = False, memberships: list | None = None
) -> list[Q] | None:
    """The filters of orders ``user`` may see, one per reason (own orders, area, team,
    named for, open for grabbing); an order is visible if any matches. ``None`` means all
    (system admin); an empty list, none.

    Every branch is an indexed column test (no join, no correlated subquery). ``lean``:
    for lists, staff and leaders see their area only (their own orders are one
    ``mine=true`` away), which keeps the list an ordered index scan at any size.
    ``memberships``: ``user_memberships(user)`` when the caller has read it already.
    """
    if is_system_admin(user):
        return None
    paths = scope_paths(user, READ_ROLES)
    if paths and lean:
        return [region_scope_q(paths)]
    branches = [Q(requester_id=user.pk), Q(created_by_id=user.pk)]
    if paths:
        branches.append(region_scope_q(paths))
    # One query for the teams, the roles in them and the teams' areas (was three).
    if memberships is None:
        memberships = user_memberships(user)
    team_ids = [team_id for team_id, _role, _path, _active in memberships]
    if team_ids:
        branches.append(Q(team_id__in=team_ids))
        assigned = list(
            OrderAssignment.objects.filter(volunteer__user=user)
            .order_by("-order_id")
            .values_list("order_id", flat=True)[:MAX_ASSIGNED]
        )
        if assigned:
            branches.append(Q(pk__in=assigned))
        team_paths = [
            path for _id, role, path, _active in memberships if role == MembershipRole.LEADER
        ]
        if team_paths:
            branches.append(
                Q(state=OrderState.PENDING_DISPATCH, is_open=True) & region_scope_q(team_paths)
            )
    return branches


def visibility_q(user, *, lean: bool = False, memberships: list | None = None) -> Q | None:
    """``visibility_branches`` as one filter; ``None`` means all (system admin)."""
    branches = visibility_branches(user, lean=lean, memberships=memberships)
    if branches is None:
        return None
    q = Q(pk__in=[])  # no branch: nothing (an empty Q would match everything)
    for branch in branches:
        q |= branch
    return q


def order_list(
    *,
    user,
    state: str | None = None,
    states: list[str] | None = None,
    mine: bool = False,
    team_id: int | None = None,
    site_id: int | None = None,
    open_only: bool = False,
    overdue: bool = False,
    q: str | None = None,
    lean: bool = False,
    branch: Q | None = None,
    memberships: list | None = None,
) -> QuerySet:
    """Orders the user may see, filtered. ``mine``: only those the user asked for;
    ``team_id`` of the user's own team: that team's orders; ``lean``: see visibility_q;
    ``branch``: one of the user's ``visibility_branches`` instead of all of them;
    ``memberships``: ``user_memberships(user)`` if already read."""
    if not user.is_authenticated:
        return Order.objects.none()
    qs = Order.objects.select_related(*LIST_RELATED)
    if mine:
        qs = qs.filter(requester_id=user.pk)
    elif team_id is not None and team_id in _member_team_ids(user):
        qs = qs.filter(team_id=team_id)
    elif branch is not None:
        qs = qs.filter(branch)
    else:
        vq = visibility_q(user, lean=lean, memberships=memberships)
        if vq is not None:
            qs = qs.filter(vq)
    if state:
        qs = qs.filter(state=state)
    if states:
        qs = qs.filter(state__in=states)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if open_only:
        qs = qs.filter(state=OrderState.PENDING_DISPATCH, is_open=True)
    if overdue:
        from django.utils import timezone

        qs = qs.filter(due_at__lt=timezone.now())
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(address__icontains=q))
    return qs


def order_page(*, user, cursor: str | None, limit: int, **filters) -> tuple[list[dict], str | None]:
    """A keyset page (newest first) of ``order_list(lean=True, **filters)`` as
    ``LIST_FIELDS`` dicts, and the next cursor.

    When the user sees orders for several reasons (a team leader: own orders, the team's,
    those named for, open ones nearby), one OR over different columns makes PostgreSQL walk
    the primary key backwards and filter — time linear in the table (25 ms at 1,000,000
    orders for a leader of a team with 1,100). Instead each reason is paged on its own
    index and the newest ids merged: a constant number of short index scans at any size.
    """
    branches = None
    if user.is_authenticated and not filters.get("mine") and filters.get("team_id") is None:
        branches = visibility_branches(user, lean=True)
    if branches is not None and len(branches) > 1:
        ids: set[int] = set()
        for branch in branches:
            sub = order_list(user=user, lean=True, branch=branch, **filters).values("id")
            rows, _next = keyset_page(sub, cursor=cursor, limit=limit, ordering=("-id",))
            ids.update(row["id"] for row in rows)
        # Every id came through a visibility branch and the filters.
        qs = Order.objects.filter(pk__in=sorted(ids, reverse=True)[: limit + 1])
    elif branches:
        qs = order_list(user=user, lean=True, branch=branches[0], **filters)
    else:
        qs = order_list(user=user, lean=True, **filters)
    return keyset_page(qs.values(*LIST_FIELDS), cursor=cursor, limit=limit, ordering=("-id",))


ORDER_GET_RELATED = (
    "region", "site", "site__region", "site__parent", "team", "project", "requester",
)  # fmt: skip
# What the detail (``presenters.present_order``) reads: the requester's account is not
# shown (the contact is the order's own copy), and its ~25 columns cost compilation.
DETAIL_RELATED = tuple(r for r in ORDER_GET_RELATED if r != "requester")


def order_get(
    *,
    user,
    order_id: int,
    for_grab: bool = False,
    lean: bool = False,
    related: tuple[str, ...] = ORDER_GET_RELATED,
) -> Order:
    """One order the user may see, or NotFound (missing and out of scope look the same).

    ``for_grab``: also any reviewed order in the area of a team the user leads, so that
    when several teams grab at once the ones that lose learn it was taken (409) rather
    than that it vanished (404). Orders still awaiting review, and rejected ones (visible
    only to whoever made them and the staff), stay 404.

    ``lean``: only the primary key is read (a move re-reads the row under its lock, with
    what it needs joined). ``related``: the relations read with it (default: what the
    detail shows).
    """
    if not user.is_authenticated:
        raise NotFound()
    if lean:
        qs = Order.objects.filter(pk=order_id).only("pk")
    else:
        qs = Order.objects.select_related(*related).filter(pk=order_id)
    vq = visibility_q(user)
    if vq is not None and for_grab:
        team_paths = list(led_teams(user).values_list("region__path", flat=True))
        if team_paths:
            vq |= region_scope_q(team_paths) & ~Q(
                state__in=[OrderState.SUBMITTED, OrderState.REJECTED]
            )
    if vq is not None:
        qs = qs.filter(vq)
    order = next(iter(qs.order_by()[:1]), None)
    if order is None:
        raise NotFound()
    return order


def order_events(*, order: Order) -> QuerySet:
    return OrderEvent.objects.filter(order=order).select_related("actor", "team", "site")


def order_assignments(*, order: Order) -> QuerySet:
    return OrderAssignment.objects.filter(order=order).select_related("volunteer")


def _detail_lookups() -> tuple:
    return (
        Prefetch(
            "assignments",
            queryset=OrderAssignment.objects.select_related("volunteer", "service_record"),
        ),
        "photos",
    )


def order_detail_prefetch(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related(*_detail_lookups())


def order_detail_prefetch_one(order: Order) -> Order:
    """What :func:`order_detail_prefetch` adds, for an order already read (``order_get``
    selects the rest): its assignments with volunteers and its photos, in two queries."""
    prefetch_related_objects([order], *_detail_lookups())
    return order


def staff_queue(*, user) -> QuerySet:
    """Orders waiting for staff action (review or dispatch) at sites the user manages."""
    paths = scope_paths(user, STAFF_ROLES)
    qs = Order.objects.select_related(*LIST_RELATED).filter(
        state__in=[OrderState.SUBMITTED, OrderState.PENDING_DISPATCH]
    )
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    return qs.filter(subtree_q(paths, "site__region__path"))


def follow_up_list(*, user, status: str | None = None) -> QuerySet:
    qs = FollowUp.objects.select_related("order", "site", "closed_by", "order__team")
    paths = scope_paths(user, READ_ROLES)
    if paths is not None:
        if not paths:
            return qs.none()
        qs = qs.filter(subtree_q(paths, "region__path"))
    if status:
        qs = qs.filter(status=status)
    return qs


def follow_up_get(*, user, follow_up_id: int) -> FollowUp:
    fu = follow_up_list(user=user).filter(pk=follow_up_id).first()
    if fu is None:
        raise NotFound()
    return fu
