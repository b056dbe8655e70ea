"""A room's calendar (一室多用): the week's bookings by activities and groups, and the
booking form for staff of the site."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfeng.accounts.scope import has_role_at
from xinfeng.core.errors import DomainError
from xinfeng.volunteers.models import Team
from xinfeng.volunteers.pickers import parent_team_candidates
from xinfeng.volunteers.policy import led_teams

from .. import selectors, services
from ..forms import BookingForm
from ..models import VenueBooking
from .common import date_param, not_found


def _bookable_teams(user, venue) -> tuple:
    """(teams the user may book this room for, whether to pick them by searching): for
    staff of the site's region the active teams of their scope and the regions above it
    (a province has ~12,000 teams: the set ``/volunteers/pick/teams/`` searches), for a
    team leader the few teams they lead; ``(None, False)`` when they may not book."""
    if not user.is_authenticated:
        return None, False
    if has_role_at(user, venue.site.region):
        return parent_team_candidates(user), True
    led = led_teams(user).order_by("name")
    return (led, False) if led.exists() else (None, False)


def venue_calendar(request, venue_id: int):
    venue = selectors.venue_get(venue_id=venue_id)
    first = selectors.week_start(date_param(request, "week") or timezone.localdate())
    start = selectors.day_bounds(first)[0]
    bookings = list(
        selectors.venue_bookings(
            venue=venue, start=start, end=start + timedelta(days=7), user=request.user
        )
    )
    days = []
    for i in range(7):
        day = first + timedelta(days=i)
        days.append(
            {
                "day": day,
                "bookings": [
                    b
                    for b in bookings
                    if timezone.localtime(b.starts_at).date()
                    <= day
                    <= timezone.localtime(b.ends_at - timedelta(seconds=1)).date()
                ],
            }
        )
    teams, search = _bookable_teams(request.user, venue)
    can_book = teams is not None
    form = BookingForm(
        request.POST or None,
        teams=teams if teams is not None else Team.objects.none(),
        search=search,
    )
    status = 200
    if request.method == "POST":
        if not can_book:
            return not_found(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = services.booking_create(actor=request.user, venue=venue, **data)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = exc.status
            else:
                messages.success(request, _("预约成功。"))
                week = timezone.localtime(booking.starts_at).date().isoformat()
                return redirect(f"{request.path}?week={week}")
        else:
            status = 400
    return render(
        request,
        "activities/venue_calendar.html",
        {
            "venue": venue,
            "days": days,
            "prev_week": first - timedelta(days=7),
            "next_week": first + timedelta(days=7),
            "week_start": first,
            "can_book": can_book,
            "is_staff": request.user.is_authenticated
            and has_role_at(request.user, venue.site.region),
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def booking_cancel(request, venue_id: int, booking_id: int):
    """Cancel a group's booking from the room calendar (staff of the site, or its booker)."""
    booking = (
        VenueBooking.objects.select_related("venue__site__region")
        .filter(pk=booking_id, venue_id=venue_id)
        .first()
    )
    if booking is None:
        return not_found(request)
    back = (
        f"{reverse('activities:venue_calendar', args=[venue_id])}"
        f"?week={timezone.localtime(booking.starts_at).date().isoformat()}"
    )
    try:
        services.booking_cancel(
            actor=request.user, booking=booking, reason=(request.POST.get("reason") or "")[:200]
        )
    except DomainError as exc:
        if exc.status == 403:  # someone else's booking elsewhere: as if it did not exist
            return not_found(request)
        messages.error(request, str(exc.detail))
        return redirect(back)
    messages.success(request, _("预约已取消。"))
    return redirect(back)
