"""What may be done with an activity now: one policy read by the services (which refuse
anything else) and by the organiser's page (which offers nothing else).

The state table (``choices.ACTIVITY_TRANSITIONS``) says which moves exist; time decides
the rest: an activity can be published or approved only before it starts, finished and
reported only once it has started, and a new start must lie ahead.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ACTIVITY_TRANSITIONS, EDITABLE_STATES, ActivityAction, ActivityState
from .permissions import can_organise, can_review


def start_problem(starts_at: datetime | None, *, now: datetime | None = None) -> str | None:
    """Why ``starts_at`` cannot be the start of an activity being planned, or None: a start
    already past could never be published."""
    if starts_at is not None and starts_at <= (now or timezone.now()):
        return _("开始时间已过，请选择将来的时间。")
    return None


def _can(activity, action: str) -> bool:
    return (activity.state, action) in ACTIVITY_TRANSITIONS


def has_started(activity, *, now: datetime | None = None) -> bool:
    return activity.starts_at <= (now or timezone.now())


def may_publish(activity, *, now=None) -> bool:
    """A draft (or, via approval, a submitted activity) that has not started yet."""
    return activity.state in (ActivityState.DRAFT, ActivityState.SUBMITTED) and not has_started(
        activity, now=now
    )


def may_finish(activity, *, now=None) -> bool:
    return _can(activity, ActivityAction.FINISH) and has_started(activity, now=now)


def may_report(activity, *, now=None) -> bool:
    """The report (活动报道) is written once the activity has taken place."""
    if activity.state == ActivityState.FINISHED:
        return True
    return activity.state == ActivityState.PUBLISHED and has_started(activity, now=now)


def may_cancel(activity) -> bool:
    return _can(activity, ActivityAction.CANCEL)


def may_edit(activity) -> bool:
    return activity.state in EDITABLE_STATES


def organiser_actions(activity, user, *, now=None) -> dict[str, bool]:
    """The buttons the organiser's page shows, by name."""
    now = now or timezone.now()
    organiser = can_organise(user, activity)
    reviewer = can_review(user, activity)
    submitted = activity.state == ActivityState.SUBMITTED
    return {
        "edit": organiser and may_edit(activity),
        "submit": organiser
        and activity.state == ActivityState.DRAFT
        and may_publish(activity, now=now),
        "approve": reviewer and submitted and may_publish(activity, now=now),
        "reject": reviewer and submitted,
        "finish": organiser and may_finish(activity, now=now),
        "report": organiser and may_report(activity, now=now),
        "cancel": organiser and may_cancel(activity),
        "codes": organiser and activity.state == ActivityState.PUBLISHED and activity.is_offline,
    }
