"""Deadlines: what the worker does when a step's deadline has passed.

- submitted / pending dispatch / accepted, overdue: escalate to the site one level up
  (it becomes responsible and is notified), and the step gets a fresh deadline; at the top
  of the tree the same site is reminded again.
- dispatched, not accepted in time: back to pending dispatch (接单超时); the site is told.
- completed, not rated in time: rated automatically, marked as such.

Each order is handled in its own transaction with its row locked and its deadline read
again, so two workers, or a worker and a person acting at the same moment, never both act.
"""

from django.db import transaction
from django.utils import timezone

from xinfeng.notifications.services import notify
from xinfeng.notifications.texts import in_default_language

from .. import texts as T
from ..choices import STATE_DEADLINE_STEP, OrderAction, OrderState
from ..models import Order
from ._common import (
    event,
    lock,
    move,
    order_link,
    set_deadline,
    site_staff_users,
    team_leader_users,
)
from .rating import order_auto_rate

BATCH = 500


def _escalate(order: Order, now) -> None:
    step = STATE_DEADLINE_STEP[order.state]
    lower = order.site
    upper = lower.parent
    fields = ["overdue_count"]
    order.overdue_count += 1
    if upper is not None:
        order.site = upper
        order.escalation_level += 1
        fields += ["site", "escalation_level"]
    fields += set_deadline(order, now)
    order.updated_at = now
    order.save(update_fields=[*fields, "updated_at"])
    event(
        order,
        OrderAction.ESCALATE,
        actor=None,
        now=now,
        reason=in_default_language(T.STEP_OVERDUE(step=T.STEPS[step])),
        detail={
            "step": step,
            "from_site": lower.name,
            "to_site": (upper or lower).name,
            "reason_msg": T.STEP_OVERDUE(step=T.STEPS[step]).to_json(),
        },
    )
    target = upper or lower
    notify(
        recipients=site_staff_users(target),
        title=T.ESCALATED(t=order.title, step=T.STEPS[step]),
        body=T.ESCALATED_BODY(site=lower.name),
        link=order_link(order),
        kind="order_escalated",
        channels=("email", "sms", "wechat"),
    )
    if upper is not None:
        notify(
            recipients=site_staff_users(lower),
            title=T.ESCALATED_AWAY(site=upper.name, t=order.title),
            link=order_link(order),
            kind="order_escalated",
        )
    if order.state == OrderState.ACCEPTED:
        notify(
            recipients=team_leader_users(order.team),
            title=T.START_OVERDUE(t=order.title),
            link=order_link(order),
            kind="order_start_overdue",
        )


def _timeout(order: Order, now) -> None:
    team = order.team
    order.team = None
    order.dispatched_at = None
    order.overdue_count += 1
    move(
        order,
        OrderAction.TIMEOUT,
        actor=None,
        now=now,
        reason=in_default_language(T.NOT_ACCEPTED_IN_TIME()),
        detail={
            "team": team.name if team else "",
            "reason_msg": T.NOT_ACCEPTED_IN_TIME().to_json(),
        },
        fields=("team", "dispatched_at", "overdue_count"),
    )
    notify(
        recipients=site_staff_users(order.site) + team_leader_users(team),
        title=T.ACCEPT_TIMEOUT(t=order.title),
        link=order_link(order),
        kind="order_accept_timeout",
    )


def handle_overdue(order_id: int) -> str | None:
    """Act on one overdue order; returns what was done, or None when it no longer was."""
    with transaction.atomic():
        order = lock(order_id)
        now = timezone.now()
        if order.due_at is None or order.due_at >= now:
            return None
        if order.state not in STATE_DEADLINE_STEP:
            return None
        if order.state == OrderState.DISPATCHED:
            _timeout(order, now)
            return "timeout"
        if order.state == OrderState.COMPLETED:
            order_auto_rate(order=order, now=now)
            return "auto_rate"
        _escalate(order, now)
        return "escalate"


def enforce_deadlines(*, limit: int = BATCH) -> dict[str, int]:
    """Handle up to ``limit`` overdue orders, oldest deadline first. A row another
    worker is handling waits for its lock and is then found no longer overdue."""
    now = timezone.now()
    qs = Order.objects.filter(due_at__lt=now, state__in=list(STATE_DEADLINE_STEP)).order_by(
        "due_at", "id"
    )
    ids = list(qs.values_list("pk", flat=True)[:limit])
    counts: dict[str, int] = {}
    for pk in ids:
        done = handle_overdue(pk)
        if done:
            counts[done] = counts.get(done, 0) + 1
    return counts
