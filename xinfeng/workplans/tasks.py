"""Background work of work plans, run by ``manage.py worker``."""

from django_tasks import task

from .services.overdue import enforce_task_deadlines

# How often the worker looks for overdue tasks (deadlines are dates: hourly is plenty).
DEADLINE_CHECK_SECONDS = 3600


@task()
def enforce_workplan_deadlines() -> dict:
    """Remind the owners of overdue tasks and escalate them to the level above, once each.
    Finds its work in the database, so a restarted worker simply carries on."""
    return enforce_task_deadlines()
