"""Shared machinery of the order services: locking, who the actor is relative to the order,
the transition check against ``choices.TRANSITIONS``, deadlines, the event row, and who to
notify. Every state change goes through ``guard`` and ``move``."""

from datetime import datetime

from django.utils.translation import gettext as _

from xinfeng.accounts.models import User
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied
from xinfeng.core.inserts import insert
from xinfeng.places import policy as site_policy
from xinfeng.places.models import Site
from xinfeng.places.selectors import site_staff_users as places_site_staff_users
from xinfeng.projects import models as project_defaults
from xinfeng.volunteers.choices import MembershipRole, MembershipStatus
from xinfeng.volunteers.models import Team
from xinfeng.volunteers.policy import user_leads_team

from ..choices import STATE_DEADLINE_STEP, TRANSITIONS, Actor, OrderState
from ..models import Order, OrderEvent

DEFAULT_WITHIN = {
    "review": project_defaults.DEFAULT_REVIEW_WITHIN,
    "dispatch": project_defaults.DEFAULT_DISPATCH_WITHIN,
    "accept": project_defaults.DEFAULT_ACCEPT_WITHIN,
    "start": project_defaults.DEFAULT_START_WITHIN,
    "rate": project_defaults.DEFAULT_RATE_WITHIN,
}


def order_link(order: Order) -> str:
    return f"/orders/{order.pk}/"


def lock(order: Order | int) -> Order:
    """Re-read the order with its row locked until the transaction ends (PostgreSQL
    ``SELECT … FOR UPDATE OF`` the order row only; joined rows stay unlocked)."""
    pk = order.pk if isinstance(order, Order) else order
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("site", "site__region", "site__parent", "region", "project", "team")
        .get(pk=pk)
    )


def require_user(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()


# Team leadership has one home (volunteers.policy); orders names it as it always has.
leads_team = user_leads_team


def is_site_staff(user, order: Order) -> bool:
    """Staff of the site now responsible for the order (places.policy.is_site_staff)."""
    return site_policy.is_site_staff(user, order.site)


def is_requester(user, order: Order) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return order.requester_id == user.pk


def actor_kinds(actor, order: Order, *, team: Team | None = None) -> set[str]:
    """Which of the table's actor kinds ``actor`` is for this order (``team``: the team a
    leader acts for when grabbing)."""
    if actor is None:
        return {Actor.SYSTEM}
    kinds: set[str] = set()
    if is_requester(actor, order):
        kinds.add(Actor.REQUESTER)
    if is_site_staff(actor, order):
        kinds.add(Actor.SITE_STAFF)
    if order.team_id and leads_team(actor, order.team):
        kinds.add(Actor.TEAM_LEADER)
    if team is not None and leads_team(actor, team):
        kinds.add(Actor.ELIGIBLE_LEADER)
    return kinds


def _is_kind(kind: str, actor, order: Order, team: Team | None) -> bool:
    """Whether ``actor`` is of one of ``actor_kinds``' kinds for this order."""
    if kind == Actor.SYSTEM:
        return actor is None
    if actor is None:
        return False
    if kind == Actor.REQUESTER:
        return is_requester(actor, order)
    if kind == Actor.SITE_STAFF:
        return is_site_staff(actor, order)
    if kind == Actor.TEAM_LEADER:
        return bool(order.team_id) and leads_team(actor, order.team)
    if kind == Actor.ELIGIBLE_LEADER:
        return team is not None and leads_team(actor, team)
    return False


def guard(order: Order, action: str, actor, *, team: Team | None = None) -> None:
    """Raise unless ``action`` is allowed for ``actor`` on ``order`` now: 401 without a
    user, 403 when the actor may not make this move, 409 when the state does not allow it.

    Only the kinds the move allows are asked, in the table's order, up to the first that
    holds (``actor_kinds(...) & allowed`` without the other kinds' queries: a resident
    rating is not asked whether they lead the team)."""
    from_states, _to, allowed = TRANSITIONS[action]
    if actor is not None:
        require_user(actor)
    if not any(_is_kind(kind, actor, order, team) for kind in allowed):
        raise PermissionDenied(_("您无权对该订单执行此操作。"), code="not_allowed")
    if order.state not in from_states:
        raise Conflict(
            _("订单当前状态为“%(state)s”，不能执行此操作。")
            % {"state": OrderState(order.state).label},
            code="invalid_state",
        )


def step_within(order: Order, step: str):
    if order.project is not None:
        return order.project.deadline_for(step)
    return DEFAULT_WITHIN[step]


def set_deadline(order: Order, now: datetime) -> list[str]:
    """Set the deadline of the step the order is now in (and ``due_at``). Returns the
    changed field names."""
    step = STATE_DEADLINE_STEP.get(order.state)
    if step is None:
        order.due_at = None
        return ["due_at"]
    start = now
    if step == "start" and order.wanted_from and order.wanted_from > now:
        start = order.wanted_from
    due = start + step_within(order, step)
    setattr(order, f"{step}_due_at", due)
    order.due_at = due
    return ["due_at", f"{step}_due_at"]


def move(
    order: Order,
    action: str,
    *,
    actor,
    now: datetime,
    reason: str = "",
    detail: dict | None = None,
    fields: tuple[str, ...] = (),
    to_state: str | None = None,
) -> OrderEvent:
    """Write the new state (from the table), the new deadline and ``fields``, and the
    event row. The caller holds the row lock and has called ``guard``."""
    from_state = order.state
    order.state = to_state or TRANSITIONS[action][1]
    changed = {"state", "updated_at", *fields}
    if order.state != from_state:
        changed.update(set_deadline(order, now))
    order.updated_at = now
    order.save(update_fields=sorted(changed))
    return event(
        order, action, actor=actor, now=now, reason=reason, detail=detail, from_state=from_state
    )


def event(
    order: Order,
    action: str,
    *,
    actor,
    now: datetime,
    reason: str = "",
    detail: dict | None = None,
    from_state: str | None = None,
) -> OrderEvent:
    # OrderEvent.objects.create(...), its SQL compiled once (every move writes one).
    row = OrderEvent(
        order=order,
        action=action,
        from_state=from_state or order.state,
        to_state=order.state,
        actor=actor if actor is not None and actor.is_authenticated else None,
        team_id=order.team_id,
        site_id=order.site_id,
        reason=(reason or "")[:300],
        detail=detail or {},
        at=now,
    )
    return insert([row], signals_sent=True)[0]


# Who answers for a site has one home (places.selectors.site_staff_users).
site_staff_users = places_site_staff_users


def team_leader_users(team: Team | None) -> list[User]:
    if team is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            volunteer__memberships__team=team,
            volunteer__memberships__role=MembershipRole.LEADER,
            volunteer__memberships__status=MembershipStatus.ACTIVE,
        ).distinct()
    )


def requester_users(order: Order) -> list[User]:
    return [order.requester] if order.requester is not None else []


def deepest_site_for(region) -> Site | None:
    """The responsible site for a place: the deepest station, institute or center whose
    region contains it (a station in the village before the township's institute)."""
    prefixes = [region.path[:i] for i in range(8, len(region.path) + 1, 8)]
    return (
        Site.objects.open_at()
        .filter(region__path__in=prefixes, level__in=["station", "institute", "center"])
        .select_related("region")
        .order_by("-region__depth", "level", "id")
        .first()
    )
