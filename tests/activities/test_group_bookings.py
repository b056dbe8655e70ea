"""Rooms booked by groups (一室多用): a team leader books for their own team (service, API and
the venue calendar page); an activity and a group racing for one slot on PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection

from tests.activities.conftest import slow_inserts, soon
from tests.factories import TeamFactory, UserFactory, join
from xinfeng.activities import services
from xinfeng.activities.models import Activity, VenueBooking
from xinfeng.core.errors import Conflict, PermissionDenied

JSON = "application/json"


@pytest.fixture
def dance_team(tree, make_volunteer):
    """A team with a leader (``leader``) and a plain member (``member``)."""
    team = TeamFactory(name="水口村广场舞队", home_site=tree.st1, region=tree.v1)
    leader, member = UserFactory(username="leader"), UserFactory(username="member")
    join(team, make_volunteer(leader), leader=True)
    join(team, make_volunteer(member))
    team.leader, team.member = leader, member
    return team


def _slot(hours=1):
    start = soon()
    return {"starts_at": start, "ends_at": start + timedelta(hours=hours)}


def test_team_leader_books_for_their_own_team_only(venue, dance_team, tree):
    slot = _slot()
    booking = services.booking_create(
        actor=dance_team.leader, venue=venue, title="排练", team=dance_team, **slot
    )
    assert booking.holder == "水口村广场舞队"
    other = TeamFactory(home_site=tree.st1, region=tree.v1)
    later = {k: v + timedelta(hours=2) for k, v in slot.items()}
    with pytest.raises(PermissionDenied):
        services.booking_create(
            actor=dance_team.leader, venue=venue, title="x", team=other, **later
        )
    with pytest.raises(PermissionDenied):
        services.booking_create(
            actor=dance_team.member, venue=venue, title="x", team=dance_team, **later
        )


def test_team_leader_books_through_the_api(api_as, venue, dance_team):
    slot = _slot()
    body = {
        "title": "排练",
        "team_id": dance_team.pk,
        "starts_at": slot["starts_at"].isoformat(),
        "ends_at": slot["ends_at"].isoformat(),
    }
    r = api_as(dance_team.leader).post(
        f"/api/v1/activities/venues/{venue.pk}/bookings", body, content_type=JSON
    )
    assert r.status_code == 201, r.content
    r = api_as(dance_team.member).post(
        f"/api/v1/activities/venues/{venue.pk}/bookings", body, content_type=JSON
    )
    assert r.status_code == 403


def test_team_leader_books_on_the_venue_calendar_page(client, venue, dance_team):
    slot = _slot()
    data = {
        "title": "广场舞排练",
        "team": dance_team.pk,
        "starts_at": slot["starts_at"].strftime("%Y-%m-%dT%H:%M"),
        "ends_at": slot["ends_at"].strftime("%Y-%m-%dT%H:%M"),
    }
    client.force_login(dance_team.member)
    page = client.get(f"/activities/venues/{venue.pk}/").content.decode()
    assert 'id="book"' not in page
    assert client.post(f"/activities/venues/{venue.pk}/", data).status_code == 404
    client.force_login(dance_team.leader)
    page = client.get(f"/activities/venues/{venue.pk}/").content.decode()
    assert 'id="book"' in page and "水口村广场舞队" in page
    r = client.post(f"/activities/venues/{venue.pk}/", data)
    assert r.status_code == 302
    booking = VenueBooking.objects.get(venue=venue, state="confirmed")
    assert (booking.team, booking.booked_by) == (dance_team, dance_team.leader)
    clash = client.post(f"/activities/venues/{venue.pk}/", data)
    assert clash.status_code == 409 and "广场舞排练" in clash.content.decode()
    week = slot["starts_at"].date().isoformat()
    html = client.get(f"/activities/venues/{venue.pk}/", {"week": week}).content.decode()
    assert "广场舞排练" in html and "水口村广场舞队" in html


@pytest.mark.django_db(transaction=True)
def test_activity_and_group_racing_for_one_slot_one_wins(postgres_only, venue, owner, tree):
    """An activity's own booking and a group's booking lock the same venue row."""
    slot = _slot(hours=2)
    barrier = threading.Barrier(2)
    won, lost = [], []

    def run(fn):
        try:
            barrier.wait()
            won.append(fn())
        except Conflict as exc:
            lost.append(exc)
        finally:
            close_old_connections()
            connection.close()

    def activity():
        return services.activity_create(
            actor=owner,
            site=tree.st1,
            title="健康讲座",
            category="health",
            capacity=30,
            venue=venue,
            **slot,
        )

    def group():
        return services.booking_create(
            actor=owner, venue=venue, title="合唱排练", organisation="合唱团", **slot
        )

    threads = [threading.Thread(target=run, args=(fn,)) for fn in (activity, group)]
    with slow_inserts(VenueBooking._meta.db_table):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].code == "booking_clash"
    assert VenueBooking.objects.filter(venue=venue, state="confirmed").count() == 1
    # The activity that lost left nothing behind (its transaction rolled back).
    if isinstance(won[0], VenueBooking):
        assert not Activity.objects.filter(title="健康讲座").exists()


def test_room_calendar_does_not_name_an_unpublished_activity(
    client, api_as, make_activity, venue, owner
):
    start = soon()
    draft = make_activity(publish=False, venue=venue, title="尚未公布的慰问活动", starts_at=start)
    week = {"week": start.date().isoformat()}
    html = client.get(f"/activities/venues/{venue.pk}/", week).content.decode()
    assert "尚未公布的慰问活动" not in html and "已预约（活动筹备中）" in html
    assert f"/activities/{draft.pk}/" not in html
    api = client.get(
        f"/api/v1/activities/venues/{venue.pk}/bookings", {"start": start.date().isoformat()}
    ).json()
    assert [b["title"] for b in api] == ["已预约（活动筹备中）"] and api[0]["activity_id"] is None
    # Staff of the site see it, and everyone does once it is published.
    own = api_as(owner).get(
        f"/api/v1/activities/venues/{venue.pk}/bookings", {"start": start.date().isoformat()}
    )
    assert [b["title"] for b in own.json()] == ["尚未公布的慰问活动"]
    services.activity_publish(actor=owner, activity=draft)
    html = client.get(f"/activities/venues/{venue.pk}/", week).content.decode()
    assert "尚未公布的慰问活动" in html and f"/activities/{draft.pk}/" in html


def test_booking_cancelled_from_the_room_calendar_by_its_booker_or_staff(
    client, venue, dance_team, owner, tree
):
    slot = _slot()
    mine = services.booking_create(
        actor=dance_team.leader, venue=venue, title="排练", team=dance_team, **slot
    )
    later = {k: v + timedelta(hours=2) for k, v in slot.items()}
    theirs = services.booking_create(
        actor=owner, venue=venue, title="书法班", organisation="书法协会", **later
    )
    week = {"week": slot["starts_at"].date().isoformat()}
    client.force_login(dance_team.leader)
    html = client.get(f"/activities/venues/{venue.pk}/", week).content.decode()
    assert f"/bookings/{mine.pk}/cancel/" in html and f"/bookings/{theirs.pk}/cancel/" not in html
    assert (
        client.post(f"/activities/venues/{venue.pk}/bookings/{theirs.pk}/cancel/").status_code
        == 404
    )
    r = client.post(f"/activities/venues/{venue.pk}/bookings/{mine.pk}/cancel/", {"reason": "改期"})
    assert r.status_code == 302
    mine.refresh_from_db()
    assert (mine.state, mine.cancel_reason) == ("cancelled", "改期")
    client.force_login(owner)
    html = client.get(f"/activities/venues/{venue.pk}/", week).content.decode()
    assert f"/bookings/{theirs.pk}/cancel/" in html
    assert (
        client.post(f"/activities/venues/{venue.pk}/bookings/{theirs.pk}/cancel/").status_code
        == 302
    )
    # Cancelling twice tells why; an activity's booking is not cancelled from the calendar.
    r = client.post(f"/activities/venues/{venue.pk}/bookings/{theirs.pk}/cancel/", follow=True)
    assert "该预约已取消" in r.content.decode()
    other_venue_url = f"/activities/venues/{venue.pk + 999}/bookings/{theirs.pk}/cancel/"
    assert client.post(other_venue_url).status_code == 404
