"""Room bookings: clashes refused naming the clashing booking, opening hours, concurrency."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection

from tests.activities.conftest import slow_inserts, soon
from xinfeng.activities import services
from xinfeng.activities.models import VenueBooking
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed


def test_activity_with_a_venue_books_it(make_activity, venue):
    activity = make_activity(venue=venue)
    booking = VenueBooking.objects.get(activity=activity)
    assert (booking.venue, booking.state) == (venue, "confirmed")


def test_overlapping_booking_is_refused_naming_the_clash(make_activity, venue, owner):
    start = soon()
    make_activity(venue=venue, title="广场舞培训", starts_at=start)
    with pytest.raises(Conflict) as exc:
        services.booking_create(
            actor=owner,
            venue=venue,
            title="老年合唱排练",
            organisation="夕阳红合唱团",
            starts_at=start + timedelta(minutes=30),
            ends_at=start + timedelta(hours=3),
        )
    assert exc.value.code == "booking_clash"
    assert "广场舞培训" in str(exc.value.detail)


def test_back_to_back_bookings_are_allowed(venue, owner):
    start = soon()
    services.booking_create(
        actor=owner,
        venue=venue,
        title="读书会",
        organisation="书友会",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    services.booking_create(
        actor=owner,
        venue=venue,
        title="议事会",
        organisation="村民议事会",
        starts_at=start + timedelta(hours=1),
        ends_at=start + timedelta(hours=2),
    )
    assert VenueBooking.objects.filter(venue=venue, state="confirmed").count() == 2


def test_activity_clashing_with_a_group_booking_is_refused(make_activity, venue, owner):
    start = soon()
    services.booking_create(
        actor=owner,
        venue=venue,
        title="健身操",
        organisation="健身队",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    with pytest.raises(Conflict) as exc:
        make_activity(venue=venue, starts_at=start + timedelta(hours=1))
    assert "健身操" in str(exc.value.detail)


def test_booking_outside_opening_hours_is_refused(venue, owner):
    start = soon().replace(hour=20)
    with pytest.raises(ValidationFailed) as exc:
        services.booking_create(
            actor=owner,
            venue=venue,
            title="夜间放映",
            organisation="放映队",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
    assert exc.value.code == "outside_opening_hours"
    assert "08:00–21:00" in str(exc.value.detail)


def test_booking_ending_before_it_starts_is_refused(venue, owner):
    start = soon()
    with pytest.raises(ValidationFailed) as exc:
        services.booking_create(
            actor=owner,
            venue=venue,
            title="x",
            organisation="y",
            starts_at=start,
            ends_at=start - timedelta(hours=1),
        )
    assert exc.value.code == "end_before_start"


def test_outsider_cannot_book_a_room_elsewhere(venue, outsider):
    start = soon()
    with pytest.raises(PermissionDenied):
        services.booking_create(
            actor=outsider,
            venue=venue,
            title="x",
            organisation="y",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )


def test_cancelled_booking_frees_the_slot(venue, owner):
    start = soon()
    kw = {
        "actor": owner,
        "venue": venue,
        "organisation": "书友会",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
    }
    first = services.booking_create(title="读书会", **kw)
    with pytest.raises(Conflict) as exc:  # the slot is taken while the first stands
        services.booking_create(title="读书会（改）", **kw)
    assert exc.value.code == "booking_clash"
    services.booking_cancel(actor=owner, booking=first, reason="改期")
    second = services.booking_create(title="读书会（改）", **kw)
    first.refresh_from_db()
    assert first.state == "cancelled"
    assert (second.state, second.starts_at) == ("confirmed", start)
    assert list(VenueBooking.objects.filter(venue=venue, state="confirmed")) == [second]


def test_moving_an_activity_rebooks_its_room(make_activity, venue, owner):
    start = soon()
    activity = make_activity(venue=venue, starts_at=start)
    services.activity_update(
        actor=owner,
        activity=activity,
        starts_at=start + timedelta(hours=3),
        ends_at=start + timedelta(hours=4),
    )
    bookings = VenueBooking.objects.filter(activity=activity)
    assert bookings.filter(state="confirmed").get().starts_at == start + timedelta(hours=3)
    assert bookings.filter(state="cancelled").count() == 1


def test_cancelling_an_activity_releases_its_room(make_activity, venue, owner):
    activity = make_activity(venue=venue)
    services.activity_cancel(actor=owner, activity=activity, reason="天气原因")
    assert VenueBooking.objects.get(activity=activity).state == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bookings_of_the_same_slot_one_wins(postgres_only, venue, owner):
    start = soon()
    barrier = threading.Barrier(4)
    won, lost = [], []

    def book(i):
        try:
            barrier.wait()
            won.append(
                services.booking_create(
                    actor=owner,
                    venue=venue,
                    title=f"团体{i}",
                    organisation=f"团体{i}",
                    starts_at=start + timedelta(minutes=10 * i),
                    ends_at=start + timedelta(hours=1, minutes=10 * i),
                )
            )
        except Conflict as exc:
            lost.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(4)]
    with slow_inserts(VenueBooking._meta.db_table):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(won) == 1 and len(lost) == 3
    assert all(e.code == "booking_clash" for e in lost)
    assert VenueBooking.objects.filter(venue=venue, state="confirmed").count() == 1
