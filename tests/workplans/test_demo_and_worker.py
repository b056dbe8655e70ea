"""The demo city's work plans and demonstration sites, and the worker's overdue job:
reminds and escalates each overdue task once (a second run does nothing)."""

from xinfeng.notifications.models import Notification
from xinfeng.regions.models import Region
from xinfeng.workplans import selectors
from xinfeng.workplans.choices import TaskEventKind, TaskStatus
from xinfeng.workplans.models import Designation, Task, WorkPlan
from xinfeng.workplans.tasks import enforce_workplan_deadlines


def test_demo_has_plans_per_level_and_two_demo_sites_per_township(demo_city):
    assert "workplans:" in demo_city.output
    print([line for line in demo_city.output.splitlines() if "workplans" in line])
    city = demo_city.city
    townships = Region.objects.filter(parent=city, level="township")
    assert townships.count() == 6
    plans = WorkPlan.objects.filter(year=2020)
    assert plans.filter(region=city).exists()
    assert set(plans.filter(region__in=townships).values_list("region_id", flat=True)) == set(
        townships.values_list("pk", flat=True)
    )
    statuses = set(Task.objects.filter(plan__year=2020).values_list("status", flat=True))
    assert {TaskStatus.DONE, TaskStatus.OVERDUE} <= statuses
    assert Designation.objects.filter(year=2020).count() == 12
    rows = selectors.township_rule(year=2026)
    lacking = [r.township.name for r in rows if r.missing]
    assert lacking == ["苏家垱乡"]


def test_worker_escalates_overdue_tasks_once(demo_city, django_capture_on_commit_callbacks):
    center_user = demo_city.users["center"]
    overdue = Task.objects.filter(status=TaskStatus.OVERDUE, escalated_at__isnull=True)
    n = overdue.count()
    assert n > 0
    before = Notification.objects.filter(kind="workplan_escalated").count()
    with django_capture_on_commit_callbacks(execute=True):
        first = enforce_workplan_deadlines.call()
    assert first.get("escalate") == n and first.get("remind") == n
    assert not Task.objects.filter(status=TaskStatus.OVERDUE, escalated_at__isnull=True).exists()
    town_task = Task.objects.filter(
        plan__region__name="苏家垱乡", status=TaskStatus.OVERDUE
    ).first()
    assert town_task.escalated_to == demo_city.city
    assert town_task.events.filter(kind=TaskEventKind.ESCALATED).count() == 1
    assert Notification.objects.filter(kind="workplan_escalated", recipient=center_user).exists()
    after_first = Notification.objects.filter(kind="workplan_escalated").count()
    assert after_first > before
    # Idempotent: a second run finds nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert enforce_workplan_deadlines.call() == {}
    assert Notification.objects.filter(kind="workplan_escalated").count() == after_first
    assert town_task.events.filter(kind=TaskEventKind.ESCALATED).count() == 1
