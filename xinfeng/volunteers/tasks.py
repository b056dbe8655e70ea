"""Background work of the volunteers app (run by ``manage.py worker``).

An accepted upload (``services.imports.import_create``) is queued here when its row is
created, once the transaction commits — the service does not import its task, so the app
has no import cycle.
"""

from django.db import transaction
from django_tasks import task

from xinfeng.volunteers.services.imports import import_run


@task()
def run_volunteer_import(import_id: int) -> int:
    """Validate and import an uploaded volunteer sheet; returns the number imported."""
    return import_run(import_id).created_count


def queue_new_import(sender, instance, created, raw=False, **kwargs) -> None:
    """``post_save`` of ``VolunteerImport``: queue a newly created upload after commit."""
    if created and not raw:
        transaction.on_commit(lambda: run_volunteer_import.enqueue(instance.pk))
