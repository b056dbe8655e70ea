"""Overdue tasks: the worker reminds the owner once and escalates the task to the level
above once (its center, institute or station staff are notified), like overdue orders.

Each task is handled in its own transaction with its row locked and read again, so two
workers, or a worker run twice, never remind or escalate a task twice (idempotent)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinfeng.accounts.choices import STAFF_ROLES, Role
from xinfeng.accounts.models import User
from xinfeng.notifications.services import notify
from xinfeng.places.selectors import site_staff_users

from .. import texts as T
from ..choices import TaskEventKind, TaskStatus
from ..models import Task
from ._common import task_event, task_link
from .plans import answering_site

BATCH = 500


def _level_above_users(region) -> list:
    """Who answers for ``region``: the staff of its center/institute/station, or staff
    roles held at exactly that region when it has no site."""
    site = answering_site(region)
    if site is not None:
        return site_staff_users(site)
    roles = [r for r in STAFF_ROLES if r != Role.SYSTEM_ADMIN]
    return list(
        User.objects.filter(
            role_assignments__region=region, role_assignments__role__in=roles, is_active=True
        ).distinct()
    )


def handle_overdue_task(pk: int, *, now=None, recipients: dict | None = None) -> list[str]:
    """Mark one task overdue, remind its owner and escalate it, each at most once.
    ``recipients`` memoises who answers for each level above within one run."""
    now = now or timezone.now()
    recipients = {} if recipients is None else recipients
    today = timezone.localdate(now)
    done: list[str] = []
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("plan__region__parent", "owner")
            .filter(pk=pk)
            .first()
        )
        if task is None or task.status == TaskStatus.DONE or task.deadline >= today:
            return done
        fields = []
        if task.status != TaskStatus.OVERDUE:
            task.status = TaskStatus.OVERDUE
            fields.append("status")
        plan = task.plan
        params = {"t": task.title, "plan": plan.title, "deadline": task.deadline.isoformat()}
        if task.reminded_at is None:
            task.reminded_at = now
            fields.append("reminded_at")
            task_event(task, TaskEventKind.REMINDED, now=now)
            notify(
                recipients=[task.owner],
                title=T.TASK_OVERDUE(t=task.title),
                body=T.TASK_OVERDUE_BODY(plan=plan.title, deadline=params["deadline"]),
                link=task_link(task),
                kind="workplan_overdue",
                channels=("sms", "wechat"),
            )
            done.append("remind")
        if task.escalated_at is None:
            above = plan.region.parent or plan.region
            task.escalated_at = now
            task.escalated_to = above
            fields += ["escalated_at", "escalated_to"]
            task_event(
                task,
                TaskEventKind.ESCALATED,
                now=now,
                from_region=plan.region.display_name,
                to_region=above.display_name,
            )
            if above.pk not in recipients:
                recipients[above.pk] = _level_above_users(above)
            notify(
                recipients=recipients[above.pk],
                title=T.TASK_ESCALATED(t=task.title),
                body=T.TASK_ESCALATED_BODY(
                    region=plan.region.display_name,
                    plan=plan.title,
                    deadline=params["deadline"],
                    owner=task.owner.display_name or task.owner.username,
                ),
                link=task_link(task),
                kind="workplan_escalated",
                channels=("email", "sms", "wechat"),
            )
            done.append("escalate")
        if fields:
            task.save(update_fields=[*fields, "updated_at"])
    return done


def enforce_task_deadlines(*, limit: int = BATCH, now=None) -> dict[str, int]:
    """Handle up to ``limit`` overdue tasks not yet reminded or escalated, oldest deadline
    first. A second run finds nothing left to do."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    pending = Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True)
    qs = (
        Task.objects.filter(pending, deadline__lt=today)
        .exclude(status=TaskStatus.DONE)
        .order_by("deadline", "id")
    )
    counts: dict[str, int] = {}
    recipients: dict = {}
    for pk in list(qs.values_list("pk", flat=True)[:limit]):
        for what in handle_overdue_task(pk, now=now, recipients=recipients):
            counts[what] = counts.get(what, 0) + 1
    return counts
