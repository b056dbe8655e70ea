"""Work-plan services: tasks with owners inside the area and deadlines from the plan's year;
the positional ``create_task`` other apps call."""

from datetime import date

import pytest

from tests.factories import UserFactory
from xinfeng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xinfeng.workplans.choices import TaskSource, TaskStatus
from xinfeng.workplans.services import create_task, plan_create, task_create, task_set_status


def test_create_task_for_other_apps(wp):
    task = create_task(
        wp.plan,
        "落实领导小组决定",
        wp.station_op,
        date(2020, 6, 30),
        actor=wp.owner,
        source_ref="decision:7",
    )
    assert task.source == TaskSource.DECISION
    assert task.source_ref == "decision:7"
    assert task.status == TaskStatus.OVERDUE  # 2020 is past
    assert task.owner == wp.station_op


def test_owner_outside_the_area_is_refused(wp):
    with pytest.raises(ValidationFailed) as exc:
        task_create(
            actor=wp.owner, plan=wp.plan, title="x", owner=wp.outsider, deadline=date(2020, 5, 1)
        )
    assert exc.value.code == "owner_outside_area"
    nobody = UserFactory(username="nobody")
    with pytest.raises(ValidationFailed):
        task_create(
            actor=wp.owner, plan=wp.plan, title="x", owner=nobody, deadline=date(2020, 5, 1)
        )


def test_deadline_before_the_plan_year_is_refused(wp):
    with pytest.raises(ValidationFailed) as exc:
        task_create(
            actor=wp.owner, plan=wp.plan, title="x", owner=wp.owner, deadline=date(2019, 12, 31)
        )
    assert exc.value.code == "deadline_before_plan_year"
    assert exc.value.status == 400


def test_station_may_not_edit_the_township_plan_and_other_township_does_not_see_it(wp):
    with pytest.raises(PermissionDenied):
        task_create(
            actor=wp.station_op,
            plan=wp.plan,
            title="x",
            owner=wp.station_op,
            deadline=date(2020, 5, 1),
        )
    with pytest.raises(NotFound):
        task_create(
            actor=wp.outsider, plan=wp.plan, title="x", owner=wp.owner, deadline=date(2020, 5, 1)
        )


def test_owner_updates_status_and_second_plan_conflicts(wp):
    task = task_create(
        actor=wp.owner, plan=wp.plan, title="建好示范点", owner=wp.station_op, deadline=date.today()
    )
    task = task_set_status(actor=wp.station_op, task=task, status=TaskStatus.DONE)
    assert task.status == TaskStatus.DONE and task.done_at is not None
    with pytest.raises(Conflict):
        plan_create(actor=wp.owner, region=wp.tree.t1, year=2020, title="again")
