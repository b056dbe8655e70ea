from django.urls import reverse
from django.utils import timezone

from ..models import TaskEvent


def task_event(task, kind, *, actor=None, now=None, **detail) -> TaskEvent:
    return TaskEvent.objects.create(
        task=task, kind=kind, actor=actor, at=now or timezone.now(), detail=detail
    )


def plan_link(plan) -> str:
    return reverse("workplans:plan", args=[plan.pk])


def task_link(task) -> str:
    return reverse("workplans:task", args=[task.pk])
