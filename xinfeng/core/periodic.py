"""Periodic jobs run by ``manage.py worker`` (deadlines, rollups, reminders).

An app registers a task (``django_tasks.task``) with an interval from its AppConfig.ready::

    register_periodic(enforce_deadlines, every_seconds=30)

The worker enqueues each job when due and then drains the task queue. Jobs must find
their work in the database (e.g. "orders past their deadline"), never in memory, so a
restarted worker simply carries on.
"""

from dataclasses import dataclass
from typing import Any


@dataclass
class PeriodicJob:
    task: Any  # a django_tasks Task
    every_seconds: float
    last_enqueued: float = float("-inf")

    @property
    def name(self) -> str:
        return getattr(self.task, "module_path", None) or repr(self.task)


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(task, *, every_seconds: float) -> None:
    job = PeriodicJob(task=task, every_seconds=every_seconds)
    _jobs[job.name] = job


def periodic_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())
