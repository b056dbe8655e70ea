"""Periodic work of governance, run by ``manage.py worker``: flag sites without a
responsible person in office or without staff to the level above (once per gap; the
work is found in the database, so a restarted worker carries on)."""

from django_tasks import task

from .services.responsibility import gap_notices_refresh

GAP_CHECK_SECONDS = 3600


@task()
def flag_site_gaps() -> dict:
    return gap_notices_refresh()
