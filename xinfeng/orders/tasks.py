"""Background work of the order workflow, run by ``manage.py worker``."""

from django_tasks import task

from .services import enforce_deadlines


@task()
def enforce_order_deadlines() -> dict:
    """Escalate overdue orders, time out unaccepted dispatches, auto-rate unrated ones.
    Finds its work in the database, so a restarted worker simply carries on."""
    return enforce_deadlines()
