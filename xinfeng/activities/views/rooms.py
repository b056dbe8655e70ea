"""A room's calendar (一室多用): the week's bookings by activities and groups, and the
booking form for staff of the site."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import has_role_at
from xinfeng.core.errors import DomainError, NotFound
from xinfeng.volunteers.models import Team

from .. import selectors, services
from ..forms import BookingForm
from .common import date_param, not_found


def venue_calendar(request, venue_id: int):
    try:
        venue = selectors.venue_get(venue_id=venue_id)
    except NotFound:
        return not_found(request)
    first = selectors.week_start(date_param(request, "week") or timezone.localdate())
    start = selectors.day_bounds(first)[0]
    bookings = list(
        selectors.venue_bookings(venue=venue, start=start, end=start + timedelta(days=7))
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
    can_book = request.user.is_authenticated and has_role_at(request.user, venue.site.region)
    form = BookingForm(
        request.POST or None, teams=Team.objects.filter(is_active=True).order_by("name")
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
            "form": form,
        },
        status=status,
    )
