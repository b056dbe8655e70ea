"""Writes of the workplans app. Other apps call ``create_task`` / ``task_create`` and
``plan_get_or_create`` from here."""

from .plans import (
    create_task,
    evidence_add,
    goal_create,
    plan_create,
    plan_get_or_create,
    task_create,
    task_set_status,
)

__all__ = [
    "create_task",
    "evidence_add",
    "goal_create",
    "plan_create",
    "plan_get_or_create",
    "task_create",
    "task_set_status",
]

from .demosites import designation_create, review_record, township_of  # noqa: E402
from .overdue import enforce_task_deadlines, handle_overdue_task  # noqa: E402

__all__ += [
    "designation_create",
    "enforce_task_deadlines",
    "handle_overdue_task",
    "review_record",
    "township_of",
]
