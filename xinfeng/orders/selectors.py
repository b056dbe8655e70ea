"""Reads of orders, always scoped to the user.

Who sees an order: staff and leaders whose region covers its place; its requester and
whoever entered it; the team it was dispatched to (all active members) and the volunteers
named for it; leaders of teams whose area covers an order open for grabbing. A rejected
order therefore stays visible to its creator and staff only. Everything else answers 404.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from xinfeng.accounts.choices import READ_ROLES, STAFF_ROLES
from xinfeng.accounts.scope import is_system_admin, scope_paths
from xinfeng.core.errors import NotFound
from xinfeng.places.models import subtree_q
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


def visibility_q(user) -> Q | None:
    """The filter of orders ``user`` may see; ``None`` means all (system admin)."""
    if is_system_admin(user):
        return None
    q = Q(requester_id=user.pk) | Q(created_by_id=user.pk)
    paths = scope_paths(user, READ_ROLES)
    if paths:
        q |= subtree_q(paths, "region__path")
    team_ids = _member_team_ids(user)
    if team_ids:
        q |= Q(team_id__in=team_ids)
        q |= Exists(OrderAssignment.objects.filter(order_id=OuterRef("pk"), volunteer__user=user))
        leader_ids = _member_team_ids(user, leader_only=True)
        if leader_ids:
            team_paths = list(
                Team.objects.filter(pk__in=leader_ids).values_list("region__path", flat=True)
            )
            q |= Q(state=OrderState.PENDING_DISPATCH, is_open=True) & subtree_q(
                team_paths, "region__path"
            )
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
) -> QuerySet:
    """Orders the user may see, filtered. ``mine``: only those the user asked for."""
    if not user.is_authenticated:
        return Order.objects.none()
    qs = Order.objects.select_related(*LIST_RELATED)
    if mine:
        qs = qs.filter(requester_id=user.pk)
    else:
        vq = visibility_q(user)
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


def order_get(*, user, order_id: int, for_grab: bool = False) -> Order:
    """One order the user may see, or NotFound (missing and out of scope look the same).

    ``for_grab``: also any order in the area of a team the user leads, whatever its state,
    so that when several teams grab at once the ones that lose learn it was taken (409)
    rather than that it vanished (404).
    """
    if not user.is_authenticated:
        raise NotFound()
    qs = Order.objects.select_related(
        "region", "site", "site__region", "site__parent", "team", "project", "requester"
    ).filter(pk=order_id)
    vq = visibility_q(user)
    if vq is not None and for_grab:
        team_paths = list(led_teams(user).values_list("region__path", flat=True))
        if team_paths:
            vq |= subtree_q(team_paths, "region__path")
    if vq is not None:
        qs = qs.filter(vq)
    order = qs.first()
    if order is None:
        raise NotFound()
    return order


def order_events(*, order: Order) -> QuerySet:
    return OrderEvent.objects.filter(order=order).select_related("actor", "team", "site")


def order_assignments(*, order: Order) -> QuerySet:
    return OrderAssignment.objects.filter(order=order).select_related("volunteer")


def order_detail_prefetch(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related(
        Prefetch("assignments", queryset=OrderAssignment.objects.select_related("volunteer")),
        "photos",
    )


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
