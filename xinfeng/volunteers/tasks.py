"""Background work of the volunteers app (run by ``manage.py worker``)."""

from django_tasks import task

from xinfeng.volunteers.services.imports import import_run


@task()
def run_volunteer_import(import_id: int) -> int:
    """Validate and import an uploaded volunteer sheet; returns the number imported."""
    return import_run(import_id).created_count
