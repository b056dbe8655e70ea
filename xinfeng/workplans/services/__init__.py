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
