"""Background work of assessment: the scheduled recompute of stored results."""

from django.conf import settings
from django_tasks import task

from .models import ResultsRun
from .services.runs import results_refresh


def every_seconds() -> int:
    """How often the worker recomputes (``XINFENG_ASSESSMENT_RECOMPUTE_SECONDS``, default
    hourly: results are monthly at the finest, and a run of a province takes under a
    minute)."""
    return int(getattr(settings, "XINFENG_ASSESSMENT_RECOMPUTE_SECONDS", 3600))


@task()
def recompute_results() -> dict:
    """Recompute the current periods of every published scheme of the year."""
    run = results_refresh(trigger=ResultsRun.Trigger.SCHEDULE)
    if run is None:
        return {"skipped": True}
    return {
        "run": run.pk,
        "status": run.status,
        "steps": run.steps_done,
        "places": run.places,
    }
