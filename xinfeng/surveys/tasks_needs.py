"""Periodic work of PART 2: refresh the 问效 result (and review flag) of every project that
has a 问效 survey (``services.evaluation.refresh_all_evaluations``)."""

from django_tasks import task

from .services.evaluation import refresh_all_evaluations


@task()
def refresh_evaluations() -> int:
    return refresh_all_evaluations()
