"""Periodic work of the activities app, run by ``manage.py worker``.

Each job finds its work in the database (sign-ups not yet reminded, check-outs still open
after the end, published activities past their end, submitted ones never reviewed before their start), so a restarted worker carries on.
"""

from django_tasks import task

from . import services


@task()
def send_activity_reminders() -> int:
    return services.send_reminders()


@task()
def close_ended_activities() -> dict:
    closed = services.close_forgotten_checkouts()
    finished = services.finish_ended_activities()
    expired = services.expire_unreviewed_activities()
    return {"auto_closed": closed, "finished": finished, "expired": expired}
