"""Review (审单), dispatch (派单), grab (抢单), accept or decline (接单), cancel.

Each function: one transaction; locks the order row (and the team row where capacity is
at stake, always after the order); checks the move against the transition table for this
actor; writes state, step time, deadline and an OrderEvent; notifies after commit.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.notifications.services import notify
from xinfeng.notifications.texts import in_default_language
from xinfeng.volunteers.models import Team, Volunteer

from .. import texts as T
from ..choices import TEAM_LOAD_STATES, OrderAction, OrderState
from ..dispatch import dispatch_score_for
from ..models import Order
from ..policy import team_may_grab_order, team_may_take_order
from ._common import (
    guard,
    lock,
    move,
    order_link,
    requester_users,
    site_staff_users,
    team_leader_users,
)
from .members import MAX_MEMBERS, invite_members

URGENT = ("email", "sms", "wechat")


def _reason_required(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(message, code="reason_required")
    if len(reason) > 300:
        raise ValidationFailed(_("理由最多 300 个字。"), code="reason_too_long")
    return reason


def team_load(team: Team) -> int:
    """Orders the team holds now (dispatched to it, accepted, in service)."""
    return Order.objects.filter(team=team, state__in=TEAM_LOAD_STATES).count()


def team_capacity_left(team: Team) -> int:
    return max(team.capacity - team_load(team), 0)


def _lock_team_with_room(team: Team) -> Team:
    team = Team.objects.select_for_update(of=("self",)).select_related("region").get(pk=team.pk)
    if not team.is_active:
        raise Conflict(_("该队伍已停用。"), code="team_inactive")
    if team_load(team) >= team.capacity:
        raise Conflict(
            _("“%(team)s”当前承接已满（%(n)d 单）。") % {"team": team.name, "n": team.capacity},
            code="team_full",
        )
    return team


@transaction.atomic
def order_approve(*, actor, order: Order, reason: str = "") -> Order:
    """审单通过: submitted → pending_dispatch. Staff of the responsible site."""
    order = lock(order)
    guard(order, OrderAction.APPROVE, actor)
    now = timezone.now()
    order.reviewed_at = now
    move(order, OrderAction.APPROVE, actor=actor, now=now, reason=reason, fields=("reviewed_at",))
    notify(
        recipients=requester_users(order),
        title=T.APPROVED(t=order.title),
        body=T.APPROVED_BODY,
        link=order_link(order),
        kind="order_approved",
    )
    return order


@transaction.atomic
def order_reject(*, actor, order: Order, reason: str) -> Order:
    """驳回: submitted → rejected, with a reason the resident sees."""
    reason = _reason_required(reason, _("请填写驳回理由。"))
    order = lock(order)
    guard(order, OrderAction.REJECT, actor)
    now = timezone.now()
    order.reviewed_at = order.closed_at = now
    move(
        order,
        OrderAction.REJECT,
        actor=actor,
        now=now,
        reason=reason,
        fields=("reviewed_at", "closed_at"),
    )
    notify(
        recipients=requester_users(order),
        title=T.REJECTED(t=order.title),
        body=reason,
        link=order_link(order),
        kind="order_rejected",
        channels=URGENT,
    )
    return order


@transaction.atomic
def order_open_for_grab(*, actor, order: Order, reason: str = "") -> Order:
    """开放抢单: a pending order any eligible team may grab."""
    order = lock(order)
    guard(order, OrderAction.OPEN, actor)
    if order.is_open:
        raise Conflict(_("该订单已开放抢单。"), code="already_open")
    order.is_open = True
    move(
        order, OrderAction.OPEN, actor=actor, now=timezone.now(), reason=reason, fields=("is_open",)
    )
    notify_open_order(order)
    return order


def notify_open_order(order: Order) -> None:
    """Tell the leaders of the nearest teams that may grab an open order: those at the
    order's place or a region above it that pass ``policy.team_may_grab_order``."""
    prefixes = [order.region.path[:i] for i in range(8, len(order.region.path) + 1, 8)]
    teams = Team.objects.filter(is_active=True, region__path__in=prefixes).select_related("region")[
        :50
    ]
    leaders = []
    for team in teams:
        if team_may_grab_order(team, order):
            leaders += team_leader_users(team)
    notify(
        recipients=leaders,
        title=T.OPEN(t=order.title),
        body=T.OPEN_BODY(region=order.region.name),
        link=order_link(order),
        kind="order_open",
    )


@transaction.atomic
def order_dispatch(*, actor, order: Order, team: Team, reason: str, score=None) -> Order:
    """派单: pending_dispatch → dispatched to ``team``, with the reason and the dispatch
    engine's score of this team recorded, whoever dispatches (page, API, auto-dispatch):
    ``score`` given by the caller (auto-dispatch's plan) wins, else it is computed here.
    Staff of the responsible site; the team must pass ``policy.team_may_take_order``.
    Locks the order, then the team (its capacity must have room)."""
    reason = _reason_required(reason, _("请填写派单理由。"))
    order = lock(order)
    guard(order, OrderAction.DISPATCH, actor)
    if not team_may_take_order(team, order):
        raise ValidationFailed(
            _("“%(team)s”不在订单所在县（市、区），不能派单。") % {"team": team.name},
            code="team_not_eligible",
        )
    if score is None:
        # Scored before the team's row is locked: that lock is held only for the write.
        score = dispatch_score_for(order, team)
    team = _lock_team_with_room(team)
    now = timezone.now()
    order.team = team
    order.dispatched_at = now
    order.dispatch_reason = reason
    order.dispatch_score = score
    order.is_open = False
    move(
        order,
        OrderAction.DISPATCH,
        actor=actor,
        now=now,
        reason=reason,
        detail={"team": team.name, "score": score} if score is not None else {"team": team.name},
        fields=("team", "dispatched_at", "dispatch_reason", "dispatch_score", "is_open"),
    )
    notify(
        recipients=team_leader_users(team),
        title=T.DISPATCHED_TEAM(t=order.title),
        body=T.DISPATCHED_TEAM_BODY,
        link=order_link(order),
        kind="order_dispatched",
        channels=URGENT,
    )
    notify(
        recipients=requester_users(order),
        title=T.DISPATCHED_REQUESTER(team=team.name),
        link=order_link(order),
        kind="order_dispatched",
    )
    return order


def _set_members_needed(order: Order, members_needed: int | None) -> tuple[str, ...]:
    """How many members must confirm before the service starts (1–50); the changed field."""
    if members_needed is None:
        return ()
    if not 1 <= members_needed <= MAX_MEMBERS:
        raise ValidationFailed(
            _("需要的队员数应在 1 到 %(n)d 之间。") % {"n": MAX_MEMBERS},
            code="invalid_members_needed",
        )
    order.members_needed = members_needed
    return ("members_needed",)


def _after_acceptance(order: Order, team: Team) -> None:
    notify(
        recipients=requester_users(order) + site_staff_users(order.site),
        title=T.ACCEPTED(team=team.name, t=order.title),
        link=order_link(order),
        kind="order_accepted",
    )


@transaction.atomic
def order_accept(
    *,
    actor,
    order: Order,
    members: Sequence[Volunteer] = (),
    reason: str = "",
    members_needed: int | None = None,
) -> Order:
    """接单: dispatched → accepted by the leader of the dispatched team, naming the members
    who go (each must confirm; minors never on risky work) and how many must confirm
    before the service can start (``members_needed``, default: as the order says)."""
    order = lock(order)
    guard(order, OrderAction.ACCEPT, actor)
    now = timezone.now()
    order.accepted_at = now
    fields = ("accepted_at", *_set_members_needed(order, members_needed))
    move(order, OrderAction.ACCEPT, actor=actor, now=now, reason=reason, fields=fields)
    invite_members(order=order, actor=actor, members=members, now=now)
    assert order.team is not None  # accepted by its team's leader (guard)
    _after_acceptance(order, order.team)
    return order


@transaction.atomic
def order_grab(
    *,
    actor,
    order: Order,
    team: Team,
    members: Sequence[Volunteer] = (),
    members_needed: int | None = None,
) -> Order:
    """抢单: an open pending order → accepted by ``team``, whose leader the actor is.
    Under concurrency exactly one team wins; the others find the state changed (409)."""
    order = lock(order)
    guard(order, OrderAction.GRAB, actor, team=team)
    if not order.is_open:
        raise Conflict(_("该订单未开放抢单。"), code="not_open")
    if not team_may_grab_order(team, order):
        raise PermissionDenied(_("该队伍的服务类别或区域与订单不符。"), code="team_not_eligible")
    team = _lock_team_with_room(team)
    now = timezone.now()
    order.team = team
    order.is_open = False
    order.dispatched_at = order.accepted_at = now
    order.dispatch_reason = in_default_language(T.GRABBED())
    order.dispatch_score = {"engine": "grab", "reason_msg": T.GRABBED().to_json()}
    move(
        order,
        OrderAction.GRAB,
        actor=actor,
        now=now,
        detail={"team": team.name},
        fields=(
            "team",
            "is_open",
            "dispatched_at",
            "accepted_at",
            "dispatch_reason",
            "dispatch_score",
            *_set_members_needed(order, members_needed),
        ),
    )
    invite_members(order=order, actor=actor, members=members, now=now)
    _after_acceptance(order, team)
    return order


@transaction.atomic
def order_decline(*, actor, order: Order, reason: str) -> Order:
    """拒单: dispatched → back to pending_dispatch with the reason; the site re-dispatches."""
    reason = _reason_required(reason, _("请填写拒单理由。"))
    order = lock(order)
    guard(order, OrderAction.DECLINE, actor)
    team = order.team
    assert team is not None  # only a dispatched order can be declined (guard)
    order.team = None
    order.dispatched_at = None
    move(
        order,
        OrderAction.DECLINE,
        actor=actor,
        now=timezone.now(),
        reason=reason,
        detail={"team": team.name},
        fields=("team", "dispatched_at"),
    )
    notify(
        recipients=site_staff_users(order.site),
        title=T.DECLINED(team=team.name, t=order.title),
        body=reason,
        link=order_link(order),
        kind="order_declined",
    )
    return order


@transaction.atomic
def order_cancel(*, actor, order: Order, reason: str = "") -> Order:
    """取消: by the resident (or staff for them) any time before a team accepted."""
    order = lock(order)
    guard(order, OrderAction.CANCEL, actor)
    team = order.team
    now = timezone.now()
    order.closed_at = now
    order.is_open = False
    move(
        order,
        OrderAction.CANCEL,
        actor=actor,
        now=now,
        reason=reason,
        fields=("closed_at", "is_open"),
    )
    recipients = site_staff_users(order.site) + team_leader_users(team)
    if actor is not None and order.requester_id and actor.pk != order.requester_id:
        recipients += requester_users(order)
    notify(
        recipients=recipients,
        title=T.CANCELLED(t=order.title),
        body=reason,
        link=order_link(order),
        kind="order_cancelled",
    )
    return order


def state_label(state: str) -> str:
    return str(OrderState(state).label)
