"""Venue bookings (一室多用) without clashes.

Concurrency: every booking write locks the venue row (``SELECT … FOR UPDATE``) before it
looks for overlapping bookings, so two requests for the same room queue on PostgreSQL and
the second sees the first's booking. SQLite runs writers one at a time (the connection
opens transactions IMMEDIATE), which gives the same guarantee there.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import has_role_at, require_role_at
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import PLAN, check_window
from xinfeng.places.models import Venue
from xinfeng.volunteers.models import Team
from xinfeng.volunteers.policy import user_leads_team

from ..choices import BookingState
from ..models import Activity, VenueBooking


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt)


def _span(starts_at: datetime, ends_at: datetime) -> str:
    a, b = _local(starts_at), _local(ends_at)
    end_fmt = "H:i" if a.date() == b.date() else "Y-m-d H:i"
    return f"{date_format(a, 'Y-m-d H:i')}–{date_format(b, end_fmt)}"


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at is None or ends_at is None:
        raise ValidationFailed(_("请填写开始和结束时间。"), code="missing_time")
    check_window(PLAN, starts_at=starts_at, ends_at=ends_at)
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间必须晚于开始时间。"), code="end_before_start")


def check_opening_hours(venue: Venue, starts_at: datetime, ends_at: datetime) -> None:
    """Refuse a time outside the venue's daily opening hours (local time, one day)."""
    if not venue.is_active:
        raise ValidationFailed(_("该场所暂停使用。"), code="venue_inactive")
    if venue.opens_at is None or venue.closes_at is None:
        return
    a, b = _local(starts_at), _local(ends_at)
    hours = f"{venue.opens_at:%H:%M}–{venue.closes_at:%H:%M}"
    same_day = a.date() == b.date()
    if not same_day or a.time() < venue.opens_at or b.time() > venue.closes_at:
        raise ValidationFailed(
            _("所选时间不在场所开放时间（每日 %(hours)s）内。") % {"hours": hours},
            code="outside_opening_hours",
        )


def find_clash(
    venue: Venue, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None
) -> VenueBooking | None:
    qs = VenueBooking.objects.filter(
        venue=venue, state=BookingState.CONFIRMED, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return (
        qs.select_related("team", "activity", "venue__site__region")
        .order_by("starts_at", "id")
        .first()
    )


def clash_error(clash: VenueBooking, *, actor=None) -> Conflict:
    """Names the booking in the way once: an activity by its title (a draft's title only
    to staff of the room's site, as the room calendar does), a group by who holds it and
    what for."""
    span = _span(clash.starts_at, clash.ends_at)
    if clash.activity_id:
        staff = actor is not None and has_role_at(actor, clash.venue.site.region)
        if clash.activity.is_public or staff:
            message = _("该时段已有活动“%(title)s”（%(span)s）。") % {
                "title": clash.title,
                "span": span,
            }
        else:
            message = _("该时段已有一场筹备中的活动（%(span)s）。") % {"span": span}
    elif clash.holder and clash.holder != clash.title:
        message = _("该时段已被%(holder)s预约：%(title)s（%(span)s）。") % {
            "holder": clash.holder,
            "title": clash.title,
            "span": span,
        }
    else:
        message = _("该时段已被预约：%(title)s（%(span)s）。") % {
            "title": clash.title,
            "span": span,
        }
    return Conflict(message, code="booking_clash")


def _lock_venue(venue: Venue) -> Venue:
    return (
        Venue.objects.select_for_update(of=("self",))
        .select_related("site__region")
        .get(pk=venue.pk)
    )


def _can_book(actor, venue: Venue, team: Team | None) -> bool:
    if has_role_at(actor, venue.site.region):
        return True
    return user_leads_team(actor, team)


@transaction.atomic
def booking_create(
    *,
    actor,
    venue: Venue,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    team: Team | None = None,
    organisation: str = "",
) -> VenueBooking:
    """Book a room for a group. Staff of the site's region book for anyone; a team leader
    books for their own team. Locks the venue row; refuses clashes (409, naming the
    clashing booking) and times outside the opening hours (400)."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not _can_book(actor, venue, team):
        raise PermissionDenied()
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写用途。"), code="missing_title")
    if team is None and not organisation.strip():
        raise ValidationFailed(_("请填写使用团体或选择队伍。"), code="missing_holder")
    check_times(starts_at, ends_at)
    venue = _lock_venue(venue)
    check_opening_hours(venue, starts_at, ends_at)
    clash = find_clash(venue, starts_at, ends_at)
    if clash is not None:
        raise clash_error(clash, actor=actor)
    return VenueBooking.objects.create(
        venue=venue,
        title=title[:120],
        starts_at=starts_at,
        ends_at=ends_at,
        team=team,
        organisation=organisation.strip()[:100],
        booked_by=actor,
    )


@transaction.atomic
def booking_cancel(*, actor, booking: VenueBooking, reason: str = "") -> VenueBooking:
    """Cancel a group's booking (an activity's booking follows its activity): staff of the
    site, or the person who made the booking."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if booking.booked_by_id != actor.pk:
        require_role_at(actor, booking.venue.site.region)
    if booking.activity_id:
        raise Conflict(_("活动的场所预约随活动修改或取消。"), code="booking_of_activity")
    _lock_venue(booking.venue)
    booking = VenueBooking.objects.get(pk=booking.pk)
    if booking.state != BookingState.CONFIRMED:
        raise Conflict(_("该预约已取消。"), code="already_cancelled")
    booking.state = BookingState.CANCELLED
    booking.cancel_reason = reason[:200]
    booking.save(update_fields=["state", "cancel_reason"])
    return booking


def book_for_activity(*, activity: Activity, actor) -> VenueBooking | None:
    """(Re)book the activity's venue for its times; call inside the activity's transaction.

    Cancels a previous booking of the activity when the venue or times changed; refuses a
    clash with any other booking of the room."""
    current = VenueBooking.objects.filter(activity=activity, state=BookingState.CONFIRMED).first()
    if current and (
        current.venue_id == activity.venue_id
        and current.starts_at == activity.starts_at
        and current.ends_at == activity.ends_at
    ):
        return current
    if activity.venue_id is None:
        if current:
            VenueBooking.objects.filter(pk=current.pk).update(state=BookingState.CANCELLED)
        return None
    venue = _lock_venue(activity.venue)
    check_opening_hours(venue, activity.starts_at, activity.ends_at)
    exclude = current.pk if current and current.venue_id == venue.pk else None
    clash = find_clash(venue, activity.starts_at, activity.ends_at, exclude_id=exclude)
    if clash is not None:
        raise clash_error(clash, actor=actor)
    if current:
        VenueBooking.objects.filter(pk=current.pk).update(state=BookingState.CANCELLED)
    return VenueBooking.objects.create(
        venue=venue,
        activity=activity,
        title=activity.title[:120],
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        organisation=activity.site.name[:100],
        booked_by=actor,
    )


def release_for_activity(activity: Activity, reason: str = "") -> None:
    VenueBooking.objects.filter(activity=activity, state=BookingState.CONFIRMED).update(
        state=BookingState.CANCELLED, cancel_reason=reason[:200]
    )
