"""Sign-up with capacity and a waiting list that moves up when someone cancels.

All changes to one activity's sign-ups happen under that activity's row lock, so the
confirmed count never exceeds capacity and a cancellation moves exactly one person up,
even when several people sign up or cancel at the same moment.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied
from xinfeng.notifications.services import notify
from xinfeng.volunteers.choices import MembershipStatus
from xinfeng.volunteers.models import TeamMembership, Volunteer

from .. import texts as T
from ..choices import ActivityState, Eligibility, SignupState
from ..models import Activity, Signup
from ..permissions import can_organise
from ._common import bump, lock

REMINDER_HOURS = getattr(settings, "XINFENG_ACTIVITY_REMINDER_HOURS", 24)


def volunteer_of(user) -> Volunteer | None:
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user, is_active=True).first()


def require_eligible(user, activity: Activity) -> Volunteer | None:
    """The user's volunteer profile (if any) when they may take part; else 403 with the
    reason (volunteers only, or members of the named team only)."""
    volunteer = volunteer_of(user)
    if activity.eligibility == Eligibility.VOLUNTEERS and volunteer is None:
        raise PermissionDenied(_("本活动仅限注册志愿者参加。"), code="volunteers_only")
    if activity.eligibility == Eligibility.TEAM:
        member = (
            volunteer is not None
            and TeamMembership.objects.filter(
                team_id=activity.team_id, volunteer=volunteer, status=MembershipStatus.ACTIVE
            ).exists()
        )
        if not member:
            raise PermissionDenied(_("本活动仅限指定队伍的队员参加。"), code="team_only")
    return volunteer


@transaction.atomic
def signup_create(*, actor, activity: Activity) -> Signup:
    """Sign the actor up: confirmed while places are left, otherwise on the waiting list.
    Locks the activity row. 409 when not open for sign-up or already signed up."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    activity = lock(activity)
    if activity.state != ActivityState.PUBLISHED:
        raise Conflict(_("该活动当前不接受报名。"), code="not_open")
    if activity.starts_at <= timezone.now():
        raise Conflict(_("活动已开始，报名已截止。"), code="signup_closed")
    volunteer = require_eligible(actor, activity)
    if Signup.objects.filter(
        activity=activity, user=actor, state__in=[SignupState.CONFIRMED, SignupState.WAITLISTED]
    ).exists():
        raise Conflict(_("您已报名此活动。"), code="already_signed_up")
    confirmed = activity.signup_count < activity.capacity
    signup = Signup.objects.create(
        activity=activity,
        user=actor,
        volunteer=volunteer,
        state=SignupState.CONFIRMED if confirmed else SignupState.WAITLISTED,
    )
    if confirmed:
        bump(activity, signup_count=1)
    else:
        bump(activity, waitlist_count=1)
    return signup


def promote_waitlist(activity: Activity, places: int) -> list[Signup]:
    """Move up to ``places`` people from the waiting list, earliest first. The caller holds
    the activity's row lock."""
    if places <= 0:
        return []
    waiting = list(
        Signup.objects.filter(activity=activity, state=SignupState.WAITLISTED)
        .select_related("user")
        .order_by("id")[:places]
    )
    if not waiting:
        return []
    now = timezone.now()
    Signup.objects.filter(pk__in=[s.pk for s in waiting]).update(
        state=SignupState.CONFIRMED, promoted_at=now
    )
    bump(activity, signup_count=len(waiting), waitlist_count=-len(waiting))
    notify(
        recipients=[s.user for s in waiting],
        title=T.PROMOTED(t=activity.title),
        body=T.PROMOTED_BODY,
        link=f"/activities/{activity.pk}/",
        kind="activity_promoted",
    )
    for s in waiting:
        s.state, s.promoted_at = SignupState.CONFIRMED, now
    return waiting


@transaction.atomic
def signup_cancel(*, actor, signup: Signup) -> Signup:
    """Cancel a sign-up (the person themselves, or an organiser). Locks the activity row;
    when a confirmed place is freed, the first person waiting moves up, exactly once.
    409 when it was already cancelled or the activity has started."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    activity = lock(signup.activity_id)
    if signup.user_id != actor.pk and not can_organise(actor, activity):
        raise PermissionDenied()
    # Fresh, under the activity's lock; with its person, whom the answer names.
    signup = Signup.objects.select_related("user").get(pk=signup.pk)
    if signup.state == SignupState.CANCELLED:
        raise Conflict(_("该报名已取消。"), code="already_cancelled")
    if activity.starts_at <= timezone.now() and activity.state == ActivityState.PUBLISHED:
        raise Conflict(_("活动已开始，不能取消报名。"), code="already_started")
    was_confirmed = signup.state == SignupState.CONFIRMED
    signup.state = SignupState.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.cancelled_by = actor
    signup.save(update_fields=["state", "cancelled_at", "cancelled_by"])
    if was_confirmed:
        bump(activity, signup_count=-1)
        activity.signup_count -= 1
        if activity.state == ActivityState.PUBLISHED:
            promote_waitlist(activity, activity.capacity - activity.signup_count)
    else:
        bump(activity, waitlist_count=-1)
    return signup


def send_reminders(*, now=None) -> int:
    """Remind everyone confirmed for a published activity that starts within the reminder
    window (``XINFENG_ACTIVITY_REMINDER_HOURS``, default 24). Each sign-up is reminded once:
    the row is claimed with a conditional update before the message is queued."""
    now = now or timezone.now()
    due = (
        Signup.objects.filter(
            state=SignupState.CONFIRMED,
            reminded_at__isnull=True,
            activity__state=ActivityState.PUBLISHED,
            activity__starts_at__gt=now,
            activity__starts_at__lte=now + timedelta(hours=REMINDER_HOURS),
        )
        .select_related("activity", "activity__site", "activity__venue", "user")
        .order_by("id")[:2000]
    )
    sent = 0
    for signup in due:
        with transaction.atomic():
            claimed = Signup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            a = signup.activity
            when = timezone.localtime(a.starts_at)
            notify(
                recipients=[signup.user],
                title=T.REMINDER(t=a.title),
                body=T.REMINDER_BODY(when=f"{when:%m-%d %H:%M}", place=a.place_label),
                link=f"/activities/{a.pk}/",
                kind="activity_reminder",
            )
            sent += 1
    return sent
