"""Activity states and review, bad input, reminders, online viewers counted once, totals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.activities.conftest import soon, start_now
from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.activities import selectors, services
from xinfeng.activities.models import Activity, ActivityEvent, ActivitySiteSettings, OnlineView
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed


def test_site_without_review_publishes_directly(make_activity, owner):
    activity = make_activity(publish=False)
    services.activity_submit(actor=owner, activity=activity)
    assert Activity.objects.get(pk=activity.pk).state == "published"


def test_site_requiring_review_needs_the_level_above(
    make_activity, tree, owner, outsider, django_capture_on_commit_callbacks
):
    ActivitySiteSettings.objects.create(site=tree.st1, requires_review=True)
    station_op = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    activity = make_activity(publish=False)
    with pytest.raises(Conflict) as exc:
        services.activity_publish(actor=station_op, activity=activity)
    assert exc.value.code == "review_required"
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_submit(actor=station_op, activity=activity)
    assert Activity.objects.get(pk=activity.pk).state == "submitted"
    # The level above is told there is something to review; the station is not.
    assert owner.notifications.filter(kind="activity_review").count() == 1
    assert not station_op.notifications.filter(kind="activity_review").exists()
    # The station's own operator is not the level above.
    with pytest.raises(PermissionDenied):
        services.activity_approve(actor=station_op, activity=activity)
    services.activity_reject(actor=owner, activity=activity, reason="请补充安全预案")
    assert Activity.objects.get(pk=activity.pk).state == "draft"
    services.activity_submit(actor=station_op, activity=activity)
    assert list(selectors.activities_to_review(user=owner)) == [activity]
    assert list(selectors.activities_to_review(user=outsider)) == []
    services.activity_approve(actor=owner, activity=activity)
    activity.refresh_from_db()
    assert activity.state == "published" and activity.published_at
    assert list(
        ActivityEvent.objects.filter(activity=activity).values_list("action", flat=True)
    ) == ["create", "submit", "reject", "submit", "approve"]


def test_cancel_needs_a_reason(make_activity, owner):
    activity = make_activity()
    with pytest.raises(ValidationFailed):
        services.activity_cancel(actor=owner, activity=activity, reason=" ")
    services.activity_cancel(actor=owner, activity=activity, reason="暴雨预警")
    activity.refresh_from_db()
    assert (activity.state, activity.cancel_reason) == ("cancelled", "暴雨预警")
    with pytest.raises(Conflict):
        services.activity_publish(actor=owner, activity=activity)


@pytest.mark.parametrize("capacity", [0, -5])
def test_capacity_zero_or_negative_is_refused(make_activity, capacity):
    with pytest.raises(ValidationFailed):
        make_activity(capacity=capacity)


def test_end_before_start_is_refused(make_activity):
    start = soon()
    with pytest.raises(ValidationFailed) as exc:
        make_activity(starts_at=start, ends_at=start - timedelta(hours=1))
    assert exc.value.code == "end_before_start"


def test_outsider_cannot_create_at_a_site_outside_scope(tree, outsider):
    start = soon()
    with pytest.raises(PermissionDenied):
        services.activity_create(
            actor=outsider,
            site=tree.st1,
            title="x",
            category="theory",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=10,
        )


def test_outdoor_activity_keeps_its_own_coordinates(make_activity):
    activity = make_activity(address="水口村文化广场", latitude=29.26, longitude=115.81)
    assert (activity.latitude, activity.longitude) == (29.26, 115.81)


def test_reminders_go_once_to_confirmed_people(
    make_activity, people, django_capture_on_commit_callbacks
):
    activity = make_activity(capacity=1, starts_at=soon(hours=5))
    a, b = people(2)
    services.signup_create(actor=a, activity=activity)
    services.signup_create(actor=b, activity=activity)  # waitlisted: no reminder
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    assert a.notifications.filter(kind="activity_reminder").count() == 1
    assert not b.notifications.filter(kind="activity_reminder").exists()


def test_online_viewers_are_counted_once(make_activity, people):
    activity = make_activity(
        mode="online", is_cloud_lecture=True, stream_url="https://live.example/1"
    )
    (a,) = people(1)
    assert services.online_view_record(activity=activity, user=a, kind="live") is True
    assert services.online_view_record(activity=activity, user=a, kind="replay") is False
    anon = "k" * 20
    assert services.online_view_record(activity=activity, anonymous_key=anon) is True
    assert services.online_view_record(activity=activity, anonymous_key=anon) is False
    assert Activity.objects.get(pk=activity.pk).online_viewers == 2
    assert OnlineView.objects.filter(activity=activity).count() == 2


def test_offline_activity_has_no_online_views(make_activity, people):
    activity = make_activity()
    with pytest.raises(ValidationFailed):
        services.online_view_record(activity=activity, anonymous_key="k" * 20)


def test_audience_totals_per_activity_site_region_and_month(make_activity, tree, owner):
    a1 = make_activity(mode="both", stream_url="https://live.example/1")
    a2 = make_activity(site=tree.inst1)
    Activity.objects.filter(pk=a1.pk).update(
        checkin_count=10, extra_headcount=5, online_viewers=100
    )
    Activity.objects.filter(pk=a2.pk).update(checkin_count=3)
    total = selectors.audience_total(region=tree.city)
    assert total == {"activities": 2, "offline": 18, "online": 100, "total": 118}
    by_region = {r["name"]: r for r in selectors.audience_by_region(region=tree.city)}
    assert by_region["苏家垱乡"]["total"] == 118 and by_region["江益镇"]["total"] == 0
    by_site = {r["name"]: r["total"] for r in selectors.audience_by_site(region=tree.city)}
    assert by_site == {"水口村实践站": 115, "苏家垱乡实践所": 3}
    months = selectors.audience_by_month(region=tree.t1)
    assert sum(m["total"] for m in months) == 118
    assert months[0]["month"] == timezone.localtime(a1.starts_at).strftime("%Y-%m")


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_by_one_viewer_count_once(postgres_only, make_activity):
    import threading

    from django.db import connection

    activity = make_activity(mode="online", stream_url="https://live.example/1")
    barrier = threading.Barrier(6)
    results = []

    def view():
        try:
            barrier.wait()
            results.append(services.online_view_record(activity=activity, anonymous_key="v" * 24))
        finally:
            connection.close()

    threads = [threading.Thread(target=view) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    assert Activity.objects.get(pk=activity.pk).online_viewers == 1


@pytest.mark.django_db(transaction=True)
def test_worker_round_sends_reminders_before_the_start(make_activity, people):
    """The reminder job is registered with the worker: one real ``manage.py worker --once``
    round reminds the confirmed person of an activity starting within the window, once."""
    from django.core.management import call_command

    soon_one = make_activity(title="明早的读书会", starts_at=soon(hours=5))
    later = make_activity(title="下月的讲座", starts_at=soon(hours=24 * 30))
    a, b = people(2)
    services.signup_create(actor=a, activity=soon_one)
    services.signup_create(actor=b, activity=later)
    call_command("worker", "--once")
    reminders = a.notifications.filter(kind="activity_reminder")
    assert reminders.count() == 1 and "明早的读书会" in reminders.get().title
    assert not b.notifications.filter(kind="activity_reminder").exists()
    call_command("worker", "--once")
    assert a.notifications.filter(kind="activity_reminder").count() == 1


def test_people_signed_up_hear_of_cancellation_and_of_a_new_time(
    make_activity, people, owner, django_capture_on_commit_callbacks
):
    moved = make_activity(title="读书分享会")
    dropped = make_activity(title="户外健步走")
    a, b = people(2)
    services.signup_create(actor=a, activity=moved)
    services.signup_create(actor=b, activity=dropped)
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_update(actor=owner, activity=moved, title="读书分享会（新）")
        assert not a.notifications.filter(kind="activity_changed").exists()  # title only
        services.activity_update(
            actor=owner,
            activity=moved,
            starts_at=moved.starts_at + timedelta(days=1),
            ends_at=moved.ends_at + timedelta(days=1),
        )
        services.activity_cancel(actor=owner, activity=dropped, reason="暴雨预警")
    assert a.notifications.filter(kind="activity_changed").count() == 1
    cancelled = b.notifications.get(kind="activity_cancelled")
    assert "户外健步走" in cancelled.title and cancelled.body == "暴雨预警"


@pytest.mark.django_db(transaction=True)
def test_worker_cancels_an_activity_never_reviewed_before_its_start(tree, make_activity, venue):
    """A submitted activity whose start passes without review can no longer be approved:
    a real worker round cancels it with a reason, frees its room and tells the organiser;
    a reviewed one and a future one are left alone."""
    from django.core.management import call_command

    from xinfeng.activities.models import VenueBooking

    ActivitySiteSettings.objects.create(site=tree.st1, requires_review=True)
    organiser = grant(UserFactory(username="station_op"), Role.STATION_OPERATOR, tree.v1)
    missed = make_activity(publish=False, actor=organiser, title="错过审核的讲座", venue=venue)
    services.activity_submit(actor=organiser, activity=missed)
    waiting = make_activity(publish=False, actor=organiser, title="下周的讲座")
    services.activity_submit(actor=organiser, activity=waiting)
    start_now(missed, minutes_ago=5)
    assert VenueBooking.objects.filter(activity=missed, state="confirmed").exists()

    call_command("worker", "--once")

    missed.refresh_from_db()
    waiting.refresh_from_db()
    assert missed.state == "cancelled" and "未获审核" in missed.cancel_reason
    assert waiting.state == "submitted"
    assert not VenueBooking.objects.filter(activity=missed, state="confirmed").exists()
    notice = organiser.notifications.get(kind="activity_expired")
    assert "错过审核的讲座" in notice.title
    assert missed.events.filter(action="cancel", actor__isnull=True).exists()
