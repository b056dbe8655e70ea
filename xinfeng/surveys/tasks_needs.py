"""Periodic work of PART 2: refresh the 问效 result (and review flag) of every project that
has a 问效 survey (``services.evaluation.refresh_all_evaluations``), and send the 问效 round of
projects that have served (``services.evaluation.evaluation_auto``)."""

from django_tasks import task

from .services.evaluation import evaluation_auto, refresh_all_evaluations


@task()
def refresh_evaluations() -> int:
    return refresh_all_evaluations()


@task()
def send_due_evaluations() -> int:
    return evaluation_auto()
