"""Small helpers shared by the activity services."""

from django.db.models import F

from ..models import Activity


def lock(activity: Activity | int) -> Activity:
    """The activity row, locked for the rest of the transaction (``SELECT … FOR UPDATE``).
    Sign-ups, check-ins and counters of one activity change only under this lock."""
    pk = activity.pk if isinstance(activity, Activity) else activity
    return (
        Activity.objects.select_for_update(of=("self",)).select_related("site", "venue").get(pk=pk)
    )


def bump(activity: Activity, **deltas: int) -> None:
    """Add to an activity's counters; call with the activity row locked."""
    Activity.objects.filter(pk=activity.pk).update(**{k: F(k) + v for k, v in deltas.items()})
