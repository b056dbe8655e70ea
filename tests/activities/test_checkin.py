"""Check-in and check-out by QR code, 6-digit code and geofence; hours at check-out;
forgotten check-outs closed at the end and flagged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.activities.conftest import start_now
from xinfeng.activities import services
from xinfeng.activities.models import Activity, ActivitySiteSettings, Attendance
from xinfeng.core.errors import Conflict, ValidationFailed
from xinfeng.volunteers.models import ServiceRecord


@pytest.fixture
def running(make_activity):
    """A published activity at 水口村实践站 (29.25, 115.8) that started 10 minutes ago."""
    return start_now(make_activity(title="志愿清扫"))


def test_check_in_by_qr_code(running, people):
    (a,) = people(1)
    att = services.attendance_check_in(
        actor=a, activity=running, method="qr", token=services.qr_token(running)
    )
    assert att.check_in_method == "qr"
    assert Activity.objects.get(pk=running.pk).checkin_count == 1


def test_qr_code_of_another_activity_is_refused(running, make_activity, people):
    other = start_now(make_activity(title="另一个活动"))
    (a,) = people(1)
    with pytest.raises(ValidationFailed) as exc:
        services.attendance_check_in(
            actor=a, activity=running, method="qr", token=services.qr_token(other)
        )
    assert exc.value.code == "qr_other_activity"


def test_tampered_qr_token_is_refused(running, people):
    (a,) = people(1)
    with pytest.raises(ValidationFailed) as exc:
        services.attendance_check_in(
            actor=a, activity=running, method="qr", token=services.qr_token(running) + "x"
        )
    assert exc.value.code == "bad_qr"


def test_check_in_by_six_digit_code(running, people):
    (a,) = people(1)
    assert len(running.checkin_code) == 6 and running.checkin_code.isdigit()
    att = services.attendance_check_in(
        actor=a, activity=running, method="code", code=running.checkin_code
    )
    assert att.check_in_method == "code"


def test_code_of_another_activity_is_refused(running, make_activity, people):
    other = start_now(make_activity(title="另一个活动"))
    Activity.objects.filter(pk=other.pk).update(checkin_code="123456")
    Activity.objects.filter(pk=running.pk).update(checkin_code="654321")
    running.refresh_from_db()
    (a,) = people(1)
    with pytest.raises(ValidationFailed) as exc:
        services.attendance_check_in(actor=a, activity=running, method="code", code="123456")
    assert exc.value.code == "wrong_code"
    assert not Attendance.objects.exists()


def test_check_in_by_geofence_nearby(running, people):
    (a,) = people(1)
    att = services.attendance_check_in(
        actor=a,
        activity=running,
        method="geofence",
        latitude=29.2505,  # ~55 m north of the station
        longitude=115.8,
        location_consent=True,
    )
    assert att.check_in_method == "geofence"
    assert 40 <= att.distance_m <= 70
    assert att.location_consent_at is not None


def test_geofence_from_far_away_is_refused(running, people):
    (a,) = people(1)
    with pytest.raises(ValidationFailed) as exc:
        services.attendance_check_in(
            actor=a,
            activity=running,
            method="geofence",
            latitude=29.28,
            longitude=115.8,
            location_consent=True,
        )
    assert exc.value.code == "too_far"
    assert "3336" in str(exc.value.detail) or "米" in str(exc.value.detail)


def test_geofence_radius_is_configurable_per_site(running, people, tree):
    # 29.28 is ~3336 m north of the station: outside a 3000 m radius, inside 4000 m.
    settings = ActivitySiteSettings.objects.create(site=tree.st1, geofence_radius_m=3000)
    (a,) = people(1)
    far = {"method": "geofence", "latitude": 29.28, "longitude": 115.8, "location_consent": True}
    with pytest.raises(ValidationFailed) as exc:
        services.attendance_check_in(actor=a, activity=running, **far)
    assert exc.value.code == "too_far"
    assert not Attendance.objects.exists()
    settings.geofence_radius_m = 4000
    settings.save()
    att = services.attendance_check_in(actor=a, activity=running, **far)
    assert att.check_in_method == "geofence"
    assert 3300 <= att.distance_m <= 3400
    assert Activity.objects.get(pk=running.pk).checkin_count == 1


def test_geofence_needs_location_consent(running, people, make_volunteer):
    a, b = people(2)
    with pytest.raises(ValidationFailed) as exc:
        services.attendance_check_in(
            actor=a, activity=running, method="geofence", latitude=29.25, longitude=115.8
        )
    assert exc.value.code == "location_consent_required"
    # A volunteer who gave location consent at registration needs no extra tick.
    make_volunteer(b, location_consented_at=timezone.now())
    services.attendance_check_in(
        actor=b, activity=running, method="geofence", latitude=29.25, longitude=115.8
    )


def test_second_check_in_gets_409(running, people):
    (a,) = people(1)
    services.attendance_check_in(
        actor=a, activity=running, method="code", code=running.checkin_code
    )
    with pytest.raises(Conflict):
        services.attendance_check_in(
            actor=a, activity=running, method="code", code=running.checkin_code
        )


def test_check_in_before_the_window_is_refused(make_activity, people):
    activity = make_activity()  # starts in ~2 days
    (a,) = people(1)
    with pytest.raises(Conflict) as exc:
        services.attendance_check_in(
            actor=a, activity=activity, method="code", code=activity.checkin_code
        )
    assert exc.value.code == "too_early"


def test_volunteer_check_out_leaves_clipped_hours_for_the_organiser(
    running, people, make_volunteer, owner
):
    (a,) = people(1)
    vol = make_volunteer(a)
    services.attendance_check_in(
        actor=a, activity=running, method="code", code=running.checkin_code
    )
    # Arrange: the activity started 90 minutes ago; the volunteer came 30 minutes early.
    start = timezone.now() - timedelta(minutes=90)
    Activity.objects.filter(pk=running.pk).update(starts_at=start)
    running.refresh_from_db()
    Attendance.objects.filter(user=a).update(checked_in_at=start - timedelta(minutes=30))
    att = services.attendance_check_out(
        actor=a, activity=running, method="qr", token=services.qr_token(running)
    )
    # Pending: nothing is credited before the organiser confirms.
    assert att.service_record_id is None and not ServiceRecord.objects.exists()
    (row,) = services.hours_pending(running)
    assert Decimal("1.49") <= row["default"] <= Decimal("1.51")  # from the start, not 2 h
    services.attendance_hours_confirm(
        actor=owner, activity=running, lines={att.pk: (row["default"], "")}
    )
    att.refresh_from_db()
    record = ServiceRecord.objects.get(pk=att.service_record_id)
    assert record.volunteer == vol and record.verified_by == owner
    assert record.source_type == "activity" and record.source_id == running.pk
    assert record.verification == "qr" and record.started_at >= running.starts_at
    assert record.hours == row["default"]
    vol.refresh_from_db()
    assert vol.total_hours == record.hours
    assert services.hours_pending(running) == []


def test_resident_check_out_creates_no_service_record(running, people):
    (a,) = people(1)
    services.attendance_check_in(
        actor=a, activity=running, method="code", code=running.checkin_code
    )
    att = services.attendance_check_out(
        actor=a, activity=running, method="code", code=running.checkin_code
    )
    assert att.checked_out_at and att.service_record_id is None
    assert not ServiceRecord.objects.exists()


def test_check_out_without_check_in_gets_409(running, people):
    (a,) = people(1)
    with pytest.raises(Conflict):
        services.attendance_check_out(
            actor=a, activity=running, method="code", code=running.checkin_code
        )


def test_forgotten_check_out_is_closed_at_the_end_and_flagged(
    running, people, make_volunteer, django_capture_on_commit_callbacks
):
    a, b = people(2)
    make_volunteer(a)
    for u in (a, b):
        services.attendance_check_in(
            actor=u, activity=running, method="code", code=running.checkin_code
        )
    # Arrange: the activity ended an hour ago.
    end = timezone.now() - timedelta(hours=1)
    Activity.objects.filter(pk=running.pk).update(starts_at=end - timedelta(hours=2), ends_at=end)
    Attendance.objects.update(checked_in_at=end - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.close_forgotten_checkouts() == 2
    att = Attendance.objects.get(user=a)
    assert att.auto_closed and att.checked_out_at == end and att.check_out_method == "auto"
    assert att.service_record is None  # the organiser confirms auto-closed hours too
    running.refresh_from_db()
    services.attendance_hours_confirm(
        actor=running.created_by, activity=running, lines={att.pk: ("2", "")}
    )
    att.refresh_from_db()
    record = att.service_record
    assert record.verification == "auto_closed" and record.hours == Decimal("2.00")
    assert Attendance.objects.get(user=b).service_record is None
    assert services.close_forgotten_checkouts() == 0  # idempotent
    assert a.notifications.filter(kind="activity_auto_checkout").count() == 1
    assert services.finish_ended_activities() == 1
    assert Activity.objects.get(pk=running.pk).state == "finished"


def test_organiser_checks_a_person_in_and_out(running, people, owner, make_volunteer):
    (a,) = people(1)
    make_volunteer(a)
    services.attendance_check_in(actor=owner, activity=running, method="organiser", person=a)
    hour_ago = timezone.now() - timedelta(hours=1)
    Activity.objects.filter(pk=running.pk).update(starts_at=hour_ago)
    running.refresh_from_db()
    Attendance.objects.filter(user=a).update(checked_in_at=hour_ago)
    att = services.attendance_check_out(actor=owner, activity=running, method="organiser", person=a)
    assert att.service_record.verification == "leader"
    assert att.service_record.verified_by == owner


@pytest.mark.django_db(transaction=True)
def test_worker_round_closes_forgotten_check_outs(running, people):
    """The periodic job is registered and a real ``manage.py worker --once`` round runs it."""
    from django.core.management import call_command

    (a,) = people(1)
    services.attendance_check_in(
        actor=a, activity=running, method="code", code=running.checkin_code
    )
    end = timezone.now() - timedelta(minutes=5)
    Activity.objects.filter(pk=running.pk).update(starts_at=end - timedelta(hours=1), ends_at=end)
    call_command("worker", "--once")
    assert Attendance.objects.get(user=a).auto_closed


def test_backfill_is_flagged_capped_and_once(running, owner, people, make_volunteer):
    (a,) = people(1)
    vol = make_volunteer(a)
    record = services.attendance_backfill(
        actor=owner, activity=running, volunteer=vol, hours=Decimal("5"), note="忘带手机"
    )
    assert record.is_backfill and record.verification == "backfill"
    assert record.hours == Decimal("2.00")  # capped at the activity's two hours
    assert record.source_type == "activity" and record.source_id == running.pk
    with pytest.raises(Conflict):
        services.attendance_backfill(actor=owner, activity=running, volunteer=vol, hours=None)


def test_backfill_through_the_api_needs_an_organiser(
    api_as, running, owner, outsider, people, make_volunteer
):
    (a,) = people(1)
    vol = make_volunteer(a, number="ZY2026000123")
    body = {"volunteer_number": vol.number, "hours": "1.5"}
    r = api_as(outsider).post(
        f"/api/v1/activities/{running.pk}/backfill", body, content_type="application/json"
    )
    assert r.status_code == 404
    r = api_as(owner).post(
        f"/api/v1/activities/{running.pk}/backfill", body, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["hours"] in ("1.50", 1.5)
    r = api_as(owner).post(
        f"/api/v1/activities/{running.pk}/backfill",
        {"volunteer_number": "NOPE"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "unknown_volunteer"


def test_renewed_codes_replace_the_old_ones(running, owner, people):
    a, b = people(2)
    old_token, old_code = services.qr_token(running), running.checkin_code
    renewed = services.checkin_codes_renew(actor=owner, activity=running)
    assert renewed.checkin_code != old_code
    with pytest.raises(ValidationFailed) as exc:
        services.attendance_check_in(actor=a, activity=renewed, method="qr", token=old_token)
    assert exc.value.code == "qr_expired"
    with pytest.raises(ValidationFailed):
        services.attendance_check_in(actor=a, activity=renewed, method="code", code=old_code)
    services.attendance_check_in(
        actor=b, activity=renewed, method="qr", token=services.qr_token(renewed)
    )


def test_guessing_the_code_is_throttled_per_person(api_as, running, people, owner):
    a, b = people(2)
    url = f"/api/v1/activities/{running.pk}/check-in"
    wrong = "000000" if running.checkin_code != "000000" else "111111"
    for _ in range(10):
        r = api_as(a).post(url, {"method": "code", "code": wrong}, content_type="application/json")
        assert r.status_code == 400 and r.json()["code"] == "wrong_code"
    right = {"method": "code", "code": running.checkin_code}
    r = api_as(a).post(url, right, content_type="application/json")
    assert r.status_code == 429 and r.json()["code"] == "throttled"
    # Someone else is not held back, and new codes start the count afresh.
    assert api_as(b).post(url, right, content_type="application/json").status_code == 201
    renewed = services.checkin_codes_renew(actor=owner, activity=running)
    r = api_as(a).post(
        url, {"method": "code", "code": renewed.checkin_code}, content_type="application/json"
    )
    assert r.status_code == 201
