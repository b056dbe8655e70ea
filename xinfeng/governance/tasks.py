"""Periodic work of governance, run by ``manage.py worker``: flag sites without a
responsible person in office or without staff to the level above (once per gap; the
work is found in the database, so a restarted worker carries on)."""

from django_tasks import task

from .services.responsibility import gap_notices_refresh, handover_roles_due

GAP_CHECK_SECONDS = 3600
# A handover recorded ahead of its date moves the site roles within this long of midnight.
HANDOVER_ROLES_SECONDS = 900


@task()
def flag_site_gaps() -> dict:
    return gap_notices_refresh()


@task()
def move_due_handover_roles() -> dict:
    return {"moved": handover_roles_due()}
