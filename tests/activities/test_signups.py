"""Capacity and the waiting list: cancelling moves the next person up, exactly once."""

import threading

import pytest
from django.db import close_old_connections, connection

from xinfeng.activities import services
from xinfeng.activities.models import Activity, Signup
from xinfeng.core.errors import Conflict, PermissionDenied
from xinfeng.notifications.models import Notification


def test_signups_beyond_capacity_go_to_the_waiting_list(make_activity, people):
    activity = make_activity(capacity=2)
    a, b, c, d = people(4)
    states = [services.signup_create(actor=u, activity=activity).state for u in (a, b, c, d)]
    assert states == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    activity.refresh_from_db()
    assert (activity.signup_count, activity.waitlist_count) == (2, 2)


def test_cancel_moves_the_first_waiting_person_up_once(
    make_activity, people, django_capture_on_commit_callbacks
):
    activity = make_activity(capacity=2)
    a, b, c, d = people(4)
    signups = [services.signup_create(actor=u, activity=activity) for u in (a, b, c, d)]
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(actor=a, signup=signups[0])
    states = dict(Signup.objects.filter(activity=activity).values_list("user__username", "state"))
    assert states == {"p0": "cancelled", "p1": "confirmed", "p2": "confirmed", "p3": "waitlisted"}
    assert Notification.objects.filter(recipient=c, kind="activity_promoted").count() == 1
    with pytest.raises(Conflict):
        services.signup_cancel(actor=a, signup=signups[0])
    # Nobody else moved up on the repeated cancel.
    assert Signup.objects.get(pk=signups[3].pk).state == "waitlisted"
    activity.refresh_from_db()
    assert (activity.signup_count, activity.waitlist_count) == (2, 1)


def test_cancelling_a_waitlisted_signup_promotes_nobody(make_activity, people):
    activity = make_activity(capacity=1)
    a, b, c = people(3)
    s = [services.signup_create(actor=u, activity=activity) for u in (a, b, c)]
    services.signup_cancel(actor=b, signup=s[1])
    assert Signup.objects.get(pk=s[0].pk).state == "confirmed"
    assert Signup.objects.get(pk=s[2].pk).state == "waitlisted"


def test_second_signup_by_same_person_gets_409(make_activity, people):
    activity = make_activity()
    (a,) = people(1)
    services.signup_create(actor=a, activity=activity)
    with pytest.raises(Conflict):
        services.signup_create(actor=a, activity=activity)


def test_someone_else_cannot_cancel_my_signup(make_activity, people):
    activity = make_activity()
    a, b = people(2)
    s = services.signup_create(actor=a, activity=activity)
    with pytest.raises(PermissionDenied):
        services.signup_cancel(actor=b, signup=s)


def test_raising_capacity_moves_the_waiting_list_up(make_activity, people, owner):
    activity = make_activity(capacity=1)
    a, b, c = people(3)
    for u in (a, b, c):
        services.signup_create(actor=u, activity=activity)
    services.activity_update(actor=owner, activity=activity, capacity=3)
    assert set(Signup.objects.filter(activity=activity).values_list("state", flat=True)) == {
        "confirmed"
    }


def test_draft_activity_does_not_take_signups(make_activity, people):
    activity = make_activity(publish=False)
    (a,) = people(1)
    with pytest.raises(Conflict):
        services.signup_create(actor=a, activity=activity)


def _run_parallel(fns):
    barrier = threading.Barrier(len(fns))
    errors, results = [], []

    def run(fn):
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # collected and checked by the test
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancels_move_up_exactly_one_person_each(postgres_only, make_activity, people):
    activity = make_activity(capacity=3)
    users = people(8)
    signups = [services.signup_create(actor=u, activity=activity) for u in users]
    # Three confirmed people cancel at once, and the first cancels twice more in parallel.
    fns = [
        lambda s=signups[i], u=users[i]: services.signup_cancel(actor=u, signup=s)
        for i in (0, 1, 2, 0, 0)
    ]
    results, errors = _run_parallel(fns)
    assert len(results) == 3
    assert len(errors) == 2 and all(isinstance(e, Conflict) for e in errors)
    states = list(
        Signup.objects.filter(activity=activity).order_by("id").values_list("state", flat=True)
    )
    assert states == ["cancelled"] * 3 + ["confirmed"] * 3 + ["waitlisted"] * 2
    activity = Activity.objects.get(pk=activity.pk)
    assert (activity.signup_count, activity.waitlist_count) == (3, 2)
    promoted = Signup.objects.filter(activity=activity, promoted_at__isnull=False).count()
    assert promoted == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_never_exceed_capacity(postgres_only, make_activity, people):
    activity = make_activity(capacity=5)
    users = people(12)
    fns = [lambda u=u: services.signup_create(actor=u, activity=activity) for u in users]
    results, errors = _run_parallel(fns)
    assert not errors
    assert sorted(s.state for s in results).count("confirmed") == 5
    assert Signup.objects.filter(activity=activity, state="confirmed").count() == 5
    assert Signup.objects.filter(activity=activity, state="waitlisted").count() == 7
