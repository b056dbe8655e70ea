"""The members who go: named by the team leader, each confirms for themself (志愿者自愿:
nobody is assigned without accepting) and is checked in at the start; the leader confirms
each member's hours on completion (``services.hours``).

Minors are never put on risky or emergency work.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xinfeng.notifications.services import notify
from xinfeng.volunteers.choices import MembershipStatus, ServiceCategory
from xinfeng.volunteers.models import Volunteer
from xinfeng.volunteers.policy import team_is_risky, volunteer_may_take_risky_work

from .. import texts as T
from ..choices import AssignmentStatus, OrderAction, OrderState
from ..models import Order, OrderAssignment
from ._common import event, leads_team, lock, order_link, require_user, team_leader_users

MAX_MEMBERS = 50


def is_risky(order: Order) -> bool:
    """Emergency work, a project marked risky, or a team whose work is risky (24-hour
    standby, emergency teams)."""
    if order.category == ServiceCategory.EMERGENCY:
        return True
    if order.team_id and team_is_risky(order.team):
        return True
    return bool(order.project is not None and order.project.is_risky)


def invite_members(*, order: Order, actor, members: Sequence[Volunteer], now: datetime) -> list:
    """Name members of the order's team for the order. The caller holds the order lock and
    has checked that ``actor`` leads the team. A leader naming themself is confirmed at once;
    everybody else is invited and must confirm."""
    members = list({m.pk: m for m in members}.values())
    if len(members) > MAX_MEMBERS:
        raise ValidationFailed(_("一次最多指派 %(n)d 名队员。") % {"n": MAX_MEMBERS})
    if not members:
        return []
    assert order.team is not None  # the caller checked the actor leads the order's team
    active_ids = set(
        order.team.memberships.filter(
            status=MembershipStatus.ACTIVE, volunteer_id__in=[m.pk for m in members]
        ).values_list("volunteer_id", flat=True)
    )
    outsiders = [m.name for m in members if m.pk not in active_ids]
    if outsiders:
        raise ValidationFailed(
            _("不是本队在队队员：%(names)s") % {"names": "、".join(outsiders)},
            code="not_team_member",
        )
    if is_risky(order):
        # An unknown age counts as a minor (volunteers.policy).
        minors = [m.name for m in members if not volunteer_may_take_risky_work(m)]
        if minors:
            raise ValidationFailed(
                _("未成年志愿者不能参加有风险或应急的服务：%(names)s")
                % {"names": "、".join(minors)},
                code="minor_not_allowed",
            )
    inactive = [m.name for m in members if not m.is_active]
    if inactive:
        raise ValidationFailed(_("志愿者已注销：%(names)s") % {"names": "、".join(inactive)})
    existing = set(order.assignments.values_list("volunteer_id", flat=True))
    rows = []
    for m in members:
        if m.pk in existing:
            continue
        self_named = m.user_id is not None and m.user_id == actor.pk
        rows.append(
            OrderAssignment(
                order=order,
                volunteer=m,
                status=AssignmentStatus.CONFIRMED if self_named else AssignmentStatus.INVITED,
                invited_at=now,
                answered_at=now if self_named else None,
                checked_in_at=now if self_named and order.state == OrderState.IN_SERVICE else None,
            )
        )
    OrderAssignment.objects.bulk_create(rows)
    invited_users = [r.volunteer.user for r in rows if r.status == AssignmentStatus.INVITED]
    notify(
        recipients=[u for u in invited_users if u is not None],
        title=T.MEMBER_INVITED(t=order.title),
        body=T.MEMBER_INVITED_BODY,
        link=order_link(order),
        kind="order_member_invited",
        channels=("sms", "wechat"),
    )
    return rows


@transaction.atomic
def order_members_add(*, actor, order: Order, members: Sequence[Volunteer]) -> list:
    """Name more members after accepting (accepted or in service). Team leader only."""
    require_user(actor)
    order = lock(order)
    if not leads_team(actor, order.team):
        raise PermissionDenied(_("只有承接队伍的队长可以指派队员。"))
    if order.state not in (OrderState.ACCEPTED, OrderState.IN_SERVICE):
        raise Conflict(_("只有已接单或服务中的订单可以指派队员。"), code="invalid_state")
    if not members:
        raise ValidationFailed(_("请至少选择一名队员。"), code="members_required")
    return invite_members(order=order, actor=actor, members=members, now=timezone.now())


def _own_assignment(actor, order: Order) -> OrderAssignment:
    require_user(actor)
    a = (
        OrderAssignment.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .filter(order=order, volunteer__user=actor)
        .first()
    )
    if a is None:
        raise NotFound(_("您未被指派参加该订单。"))
    return a


@transaction.atomic
def assignment_answer(*, actor, order: Order, confirm: bool) -> OrderAssignment:
    """The named member confirms or declines for themself, while the order is accepted or
    in service. Confirming during service checks the member in."""
    order = lock(order)
    a = _own_assignment(actor, order)
    if order.state not in (OrderState.ACCEPTED, OrderState.IN_SERVICE):
        raise Conflict(_("该订单已不需要确认。"), code="invalid_state")
    if a.status != AssignmentStatus.INVITED:
        raise Conflict(_("您已经答复过了。"), code="already_answered")
    now = timezone.now()
    a.status = AssignmentStatus.CONFIRMED if confirm else AssignmentStatus.DECLINED
    a.answered_at = now
    fields = ["status", "answered_at"]
    if confirm and order.state == OrderState.IN_SERVICE:
        a.checked_in_at = now
        fields.append("checked_in_at")
    a.save(update_fields=fields)
    event(
        order,
        OrderAction.MEMBER_CONFIRM if confirm else OrderAction.MEMBER_DECLINE,
        actor=actor,
        now=now,
        detail={"volunteer": a.volunteer.number},
    )
    notify(
        recipients=team_leader_users(order.team),
        title=(T.MEMBER_CONFIRMED if confirm else T.MEMBER_DECLINED)(
            name=a.volunteer.name, t=order.title
        ),
        link=order_link(order),
        kind="order_member_answered",
    )
    return a
