"""Creating, editing and moving activities through their states.

Every state change: lock the activity row, check the move in ``ACTIVITY_TRANSITIONS`` and
the actor's role, save, write an ``ActivityEvent``, notify after commit.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import require_role_at
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.notifications.services import notify
from xinfeng.places.models import Site
from xinfeng.places.selectors import site_staff_users

from .. import texts as T
from ..choices import (
    ACTIVITY_TRANSITIONS,
    EDITABLE_STATES,
    OPEN_SIGNUP_STATES,
    ActivityAction,
    ActivityState,
    Mode,
)
from ..lectures import keep_replay
from ..models import Activity, ActivityEvent, ActivitySiteSettings, Signup
from ..permissions import can_set_review, require_organiser, require_reviewer
from ..policy import may_finish, may_publish, start_problem
from ._common import check_image, lock
from .checkin import hours_pending
from .rooms import book_for_activity, check_times, release_for_activity
from .signups import promote_waitlist

EDITABLE_FIELDS = {
    "title",
    "description",
    "category",
    "venue",
    "address",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "capacity",
    "eligibility",
    "team",
    "mode",
    "stream_url",
    "replay_url",
    "is_cloud_lecture",
    "cover",
    "project",
}
# Changing these after publication tells everyone signed up.
NOTIFY_FIELDS = {"starts_at", "ends_at", "venue", "address"}


def _apply_location(activity: Activity) -> None:
    """Copy the region and, unless the activity is outdoors, the site's coordinates."""
    activity.region_id = activity.site.region_id
    if not activity.address:
        activity.latitude = activity.site.latitude
        activity.longitude = activity.site.longitude


def _validate(activity: Activity, *, new_start: bool = False) -> None:
    """``new_start``: the start is being set (a new activity, or a changed start), so it
    must lie ahead (``policy.start_problem``): one in the past could never be published."""
    check_times(activity.starts_at, activity.ends_at)
    problem = start_problem(activity.starts_at) if new_start else None
    if problem:
        raise ValidationFailed(problem, code="start_in_past", fields={"starts_at": [problem]})
    if activity.capacity is not None and activity.capacity < 1:
        raise ValidationFailed(_("名额至少为 1。"), code="invalid_capacity")
    full_clean_or_raise(activity, exclude=["region"])
    if activity.team_id and not activity.team.is_active:
        raise ValidationFailed(_("所选队伍已停用。"), code="team_inactive")
    if activity.project_id:
        # The project covers the activity's place or runs inside it (same branch of the tree).
        here, there = activity.site.region.path, activity.project.region.path
        if not (here.startswith(there) or there.startswith(here)):
            raise ValidationFailed(_("所属服务项目不在本阵地所在区域。"), code="project_elsewhere")
    if (
        activity.venue_id
        and activity.mode == Mode.OFFLINE
        and activity.capacity > activity.venue.capacity
    ):
        raise ValidationFailed(
            _("名额（%(n)d）超过场所容纳人数（%(cap)d）。")
            % {"n": activity.capacity, "cap": activity.venue.capacity},
            code="over_venue_capacity",
        )


def _event(activity, action, from_state, actor, reason="") -> None:
    ActivityEvent.objects.create(
        activity=activity,
        action=action,
        from_state=from_state,
        to_state=activity.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason[:200],
    )


def _participants(activity: Activity):
    return [
        s.user
        for s in Signup.objects.filter(activity=activity, state__in=OPEN_SIGNUP_STATES)
        .select_related("user")
        .order_by("id")
    ]


@transaction.atomic
def activity_create(
    *,
    actor,
    site: Site,
    title: str,
    category: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    **fields,
) -> Activity:
    """Create a draft activity at ``site``; the actor must be staff at the site's region.
    Books the venue when one is given (refusing clashes and times outside its hours)."""
    require_role_at(actor, site.region)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    check_image(fields.get("cover"))
    activity = Activity(
        site=site,
        title=(title or "").strip(),
        category=category,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        created_by=actor,
        **{k: v for k, v in fields.items() if v is not None or k in ("latitude", "longitude")},
    )
    _apply_location(activity)
    _validate(activity, new_start=True)
    activity.save()
    _event(activity, ActivityAction.CREATE, "", actor)
    book_for_activity(activity=activity, actor=actor)
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **fields) -> Activity:
    """Edit an activity that is not finished or cancelled. Locks the row. A smaller
    capacity may not drop below the confirmed sign-ups; a larger one moves the waiting list
    up. New times or room re-book the venue; participants are told of changes."""
    require_organiser(actor, activity)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    check_image(fields.get("cover"))
    activity = lock(activity)
    if activity.state not in EDITABLE_STATES:
        raise Conflict(_("已结束或已取消的活动不能修改。"), code="not_editable")
    old_capacity = activity.capacity
    changed = {k for k, v in fields.items() if getattr(activity, k) != v}
    for key, value in fields.items():
        setattr(activity, key, value)
    _apply_location(activity)
    if activity.capacity is not None and activity.capacity < activity.signup_count:
        raise ValidationFailed(
            _("名额不能少于已报名人数（%(n)d）。") % {"n": activity.signup_count},
            code="capacity_below_signups",
        )
    _validate(activity, new_start="starts_at" in changed)
    activity.save()
    book_for_activity(activity=activity, actor=actor)
    if activity.capacity > old_capacity:
        promote_waitlist(activity, activity.capacity - old_capacity)
    if activity.state == ActivityState.PUBLISHED and changed & NOTIFY_FIELDS:
        when = timezone.localtime(activity.starts_at)
        notify(
            recipients=_participants(activity),
            title=T.CHANGED(t=activity.title),
            body=T.CHANGED_BODY(when=f"{when:%Y-%m-%d %H:%M}", place=activity.place_label),
            link=f"/activities/{activity.pk}/",
            kind="activity_changed",
        )
    return activity


def _move(activity: Activity, action: str, actor, reason: str = "") -> Activity:
    to_state = ACTIVITY_TRANSITIONS.get((activity.state, action))
    if to_state is None:
        raise Conflict(
            _("活动当前为“%(state)s”，不能%(action)s。")
            % {
                "state": ActivityState(activity.state).label,
                "action": ActivityAction(action).label,
            },
            code="invalid_transition",
        )
    from_state = activity.state
    activity.state = to_state
    update = ["state", "updated_at"]
    if to_state == ActivityState.PUBLISHED:
        activity.published_at = timezone.now()
        update.append("published_at")
    if to_state == ActivityState.FINISHED:
        activity.finished_at = timezone.now()
        update.append("finished_at")
        update += keep_replay(activity)  # 云讲堂: the stream stays watchable as the replay
    activity.save(update_fields=update)
    _event(activity, action, from_state, actor, reason)
    return activity


def _review_needed(activity: Activity) -> bool:
    return ActivitySiteSettings.for_site(activity.site).requires_review


def _staff_of(site: Site | None) -> list:
    """Who reviews for ``site``: the people who answer for it (places.selectors)."""
    return site_staff_users(site)


@transaction.atomic
def activity_submit(*, actor, activity: Activity) -> Activity:
    """Send a draft to the level above for review (the site requires review), or publish
    it directly when the site does not."""
    require_organiser(actor, activity)
    activity = lock(activity)
    if not _review_needed(activity):
        return _publish(activity, actor)
    _move(activity, ActivityAction.SUBMIT, actor)
    notify(
        recipients=_staff_of(activity.site.parent),
        title=T.TO_REVIEW(t=activity.title),
        body=activity.site.name,
        link=f"/activities/{activity.pk}/manage/",
        kind="activity_review",
    )
    return activity


def _publish(activity: Activity, actor) -> Activity:
    if activity.state == ActivityState.DRAFT and not may_publish(activity):
        raise Conflict(_("活动开始时间已过，不能发布。"), code="already_started")
    return _move(activity, ActivityAction.PUBLISH, actor)


@transaction.atomic
def activity_publish(*, actor, activity: Activity) -> Activity:
    """Publish a draft directly; only for sites that do not require review."""
    require_organiser(actor, activity)
    activity = lock(activity)
    if activity.state == ActivityState.DRAFT and _review_needed(activity):
        raise Conflict(_("本阵地的活动须经上级审核，请提交审核。"), code="review_required")
    return _publish(activity, actor)


@transaction.atomic
def activity_approve(*, actor, activity: Activity) -> Activity:
    """The level above approves a submitted activity: it is published."""
    require_reviewer(actor, activity)
    activity = lock(activity)
    if activity.state == ActivityState.SUBMITTED and not may_publish(activity):
        raise Conflict(_("活动开始时间已过，不能发布。"), code="already_started")
    _move(activity, ActivityAction.APPROVE, actor)
    notify(
        recipients=[activity.created_by],
        title=T.APPROVED(t=activity.title),
        link=f"/activities/{activity.pk}/manage/",
        kind="activity_approved",
    )
    return activity


@transaction.atomic
def activity_reject(*, actor, activity: Activity, reason: str) -> Activity:
    """The level above sends a submitted activity back to draft, with a reason."""
    require_reviewer(actor, activity)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("退回须说明原因。"), code="missing_reason")
    activity = lock(activity)
    _move(activity, ActivityAction.REJECT, actor, reason)
    notify(
        recipients=[activity.created_by],
        title=T.RETURNED(t=activity.title),
        body=reason,
        link=f"/activities/{activity.pk}/manage/",
        kind="activity_rejected",
    )
    return activity


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str) -> Activity:
    """Cancel with a reason: the room is released and everyone signed up is told."""
    require_organiser(actor, activity)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("取消活动须说明原因。"), code="missing_reason")
    activity = lock(activity)
    _move(activity, ActivityAction.CANCEL, actor, reason)
    activity.cancel_reason = reason[:200]
    activity.save(update_fields=["cancel_reason"])
    release_for_activity(activity, reason)
    notify(
        recipients=_participants(activity),
        title=T.CANCELLED(t=activity.title),
        body=reason,
        link=f"/activities/{activity.pk}/",
        kind="activity_cancelled",
    )
    return activity


@transaction.atomic
def activity_finish(*, actor, activity: Activity) -> Activity:
    """Mark a published activity finished once it has started."""
    require_organiser(actor, activity)
    activity = lock(activity)
    if activity.state == ActivityState.PUBLISHED and not may_finish(activity):
        raise Conflict(_("活动尚未开始，不能结束。"), code="not_started")
    return _move(activity, ActivityAction.FINISH, actor)


def _sweep(state: str, passed: str, now: datetime, apply) -> int:
    """``apply(activity)`` to each activity (up to 500 a round) in ``state`` whose ``passed``
    time is not after ``now``, each in its own transaction under the row lock, checked
    again once locked. Returns how many."""
    done = 0
    due = {"state": state, f"{passed}__lte": now}
    for pk in list(Activity.objects.filter(**due).values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            activity = lock(pk)
            if activity.state == state and getattr(activity, passed) <= now:
                apply(activity)
                done += 1
    return done


def finish_ended_activities(*, now: datetime | None = None) -> int:
    """Mark published activities whose end has passed as finished (the worker runs this
    after closing forgotten check-outs) and tell the organiser when volunteers' hours
    await their confirmation. Returns how many were finished."""

    def finish(activity: Activity) -> None:
        _move(activity, ActivityAction.FINISH, None)
        pending = len(hours_pending(activity))
        if pending:
            notify(
                recipients=[activity.created_by],
                title=T.HOURS_PENDING(n=pending, t=activity.title),
                link=f"/activities/{activity.pk}/manage/#hours",
                kind="activity_hours_pending",
            )

    return _sweep(ActivityState.PUBLISHED, "ends_at", now or timezone.now(), finish)


def expire_unreviewed_activities(*, now: datetime | None = None) -> int:
    """Cancel submitted activities whose start has passed without a review (they can no
    longer be approved; nobody could sign up yet): the room is released and the organiser
    is told. The worker runs this with the end-of-activity jobs. Returns how many."""
    reason = str(_("开始前未获审核，已自动取消。"))

    def expire(activity: Activity) -> None:
        _move(activity, ActivityAction.CANCEL, None, reason)
        activity.cancel_reason = reason[:200]
        activity.save(update_fields=["cancel_reason"])
        release_for_activity(activity, reason)
        notify(
            recipients=[activity.created_by],
            title=T.EXPIRED(t=activity.title),
            body=reason,
            link=f"/activities/{activity.pk}/manage/",
            kind="activity_expired",
        )

    return _sweep(ActivityState.SUBMITTED, "starts_at", now or timezone.now(), expire)


@transaction.atomic
def activity_set_headcount(*, actor, activity: Activity, headcount: int) -> Activity:
    """Record the organiser's count of people present who did not check in."""
    require_organiser(actor, activity)
    if headcount is None or headcount < 0 or headcount > 1_000_000:
        raise ValidationFailed(_("现场人数必须是 0 或正整数。"), code="invalid_headcount")
    activity = lock(activity)
    if activity.state not in (ActivityState.PUBLISHED, ActivityState.FINISHED):
        raise Conflict(_("只有已发布或已结束的活动可以登记现场人数。"), code="invalid_state")
    if not activity.is_offline:
        raise Conflict(_("线上活动没有现场人数。"), code="online_only")
    Activity.objects.filter(pk=activity.pk).update(extra_headcount=headcount)
    activity.refresh_from_db()
    return activity


@transaction.atomic
def site_settings_update(*, actor, site: Site, **fields) -> ActivitySiteSettings:
    """Change a site's activity settings: staff of the site set the geofence radius and the
    check-in window; only the level above switches the review requirement."""
    require_role_at(actor, site.region)
    allowed = {"requires_review", "geofence_radius_m", "checkin_opens_minutes"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    current = ActivitySiteSettings.objects.select_for_update().filter(site=site).first()
    current = current or ActivitySiteSettings(site=site)
    review = fields.get("requires_review", current.requires_review)
    if bool(review) != current.requires_review and not can_set_review(actor, site):
        raise PermissionDenied(
            _("是否需要审核由上一级阵地设置。"), code="review_set_by_level_above"
        )
    for key, value in fields.items():
        setattr(current, key, value)
    full_clean_or_raise(current, exclude=["site"])
    current.save()
    return current
