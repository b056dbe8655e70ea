"""Issue 11 on activities: hours come from check-in/out clipped to the activity, with a
minimum, and only once the organiser confirms them; never a 0-hour record."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.activities.conftest import start_now
from xinfeng.activities import services
from xinfeng.activities.models import Activity, Attendance
from xinfeng.core.errors import ValidationFailed
from xinfeng.volunteers.models import PointsEntry, ServiceRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_hours_in(make_activity):
    """A published activity that started 2 hours ago and ends in 1 hour."""
    activity = start_now(make_activity(title="河道清理"))
    start = timezone.now() - timedelta(hours=2)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=3)
    )
    activity.refresh_from_db()
    return activity


def _attend(activity, person, *, came, left=None):
    services.attendance_check_in(
        actor=person, activity=activity, method="code", code=activity.checkin_code
    )
    Attendance.objects.filter(user=person).update(checked_in_at=came)
    att = services.attendance_check_out(
        actor=person, activity=activity, method="code", code=activity.checkin_code
    )
    if left is not None:
        Attendance.objects.filter(pk=att.pk).update(checked_out_at=left)
    return Attendance.objects.get(pk=att.pk)


def test_a_check_in_and_out_before_the_start_gives_no_hours(
    two_hours_in, people, make_volunteer, owner
):
    (a,) = people(1)
    make_volunteer(a)
    start = two_hours_in.starts_at
    att = _attend(two_hours_in, a, came=start - timedelta(minutes=20), left=start)
    (row,) = services.hours_pending(two_hours_in)
    assert row["default"] == Decimal("0.00")
    with pytest.raises(ValidationFailed) as exc:
        services.attendance_hours_confirm(
            actor=owner, activity=two_hours_in, lines={att.pk: ("0.1", "")}
        )
    assert exc.value.code == "hours_below_minimum"
    services.attendance_hours_confirm(actor=owner, activity=two_hours_in, lines={att.pk: ("0", "")})
    assert not ServiceRecord.objects.exists() and not PointsEntry.objects.exists()
    assert services.hours_pending(two_hours_in) == []


def test_bounds_and_reasons(two_hours_in, people, make_volunteer, owner):
    (a,) = people(1)
    make_volunteer(a)
    att = _attend(two_hours_in, a, came=two_hours_in.starts_at)
    for hours, reason, code in [("3.5", "", "invalid_hours"), ("0.5", "", "hours_reason_required")]:
        with pytest.raises(ValidationFailed) as exc:
            services.attendance_hours_confirm(
                actor=owner, activity=two_hours_in, lines={att.pk: (hours, reason)}
            )
        assert exc.value.code == code
    services.attendance_hours_confirm(
        actor=owner, activity=two_hours_in, lines={att.pk: ("0.5", "中途离开去照看老人")}
    )
    assert ServiceRecord.objects.get().hours == Decimal("0.50")


def test_the_organiser_confirms_over_the_api(
    api_as, two_hours_in, people, make_volunteer, owner, outsider
):
    a, b = people(2)
    make_volunteer(a)
    make_volunteer(b)
    att_a = _attend(two_hours_in, a, came=two_hours_in.starts_at - timedelta(minutes=30))
    _attend(two_hours_in, b, came=two_hours_in.starts_at)
    url = f"/api/v1/activities/{two_hours_in.pk}/hours"
    assert api_as(outsider).get(url).status_code in (403, 404)
    rows = api_as(owner).get(url).json()
    assert len(rows) == 2 and Decimal(rows[0]["default"]) <= Decimal("2.01")
    resp = api_as(owner).post(
        url + "/confirm",
        {"lines": [{"attendance_id": att_a.pk, "hours": rows[0]["default"]}]},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()[0]["service_record_id"]
    assert len(api_as(owner).get(url).json()) == 1  # b still waits
    resp = api_as(owner).post(
        url + "/confirm",
        {"lines": [{"attendance_id": att_a.pk, "hours": "1"}]},
        content_type="application/json",
    )
    assert resp.status_code == 400 and resp.json()["code"] == "not_pending"


def test_the_manage_page_confirms(client, two_hours_in, people, make_volunteer, owner):
    (a,) = people(1)
    make_volunteer(a)
    att = _attend(two_hours_in, a, came=two_hours_in.starts_at)
    client.force_login(a)
    detail = client.get(f"/activities/{two_hours_in.pk}/").content.decode()
    assert "待组织者确认" in detail
    client.force_login(owner)
    page = client.get(f"/activities/{two_hours_in.pk}/manage/").content.decode()
    assert "确认服务时长" in page and f'name="hours_{att.pk}"' in page
    resp = client.post(
        f"/activities/{two_hours_in.pk}/manage/hours/",
        {f"hours_{att.pk}": "9", f"reason_{att.pk}": ""},
    )
    assert resp.status_code == 400 and "之间" in resp.content.decode()
    resp = client.post(
        f"/activities/{two_hours_in.pk}/manage/hours/",
        {f"hours_{att.pk}": "2", f"reason_{att.pk}": ""},
    )
    assert resp.status_code == 302
    assert ServiceRecord.objects.get().hours == Decimal("2.00")
    client.force_login(a)
    detail = client.get(f"/activities/{two_hours_in.pk}/").content.decode()
    assert "已计服务时长 2.00 小时" in detail


def test_the_organiser_is_told_when_hours_wait_at_the_end(
    two_hours_in, people, make_volunteer, owner, django_capture_on_commit_callbacks
):
    a, b = people(2)
    make_volunteer(a)
    _attend(two_hours_in, a, came=two_hours_in.starts_at)
    _attend(two_hours_in, b, came=two_hours_in.starts_at)  # not a volunteer: no hours
    Activity.objects.filter(pk=two_hours_in.pk).update(ends_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.finish_ended_activities() == 1
    note = owner.notifications.get(kind="activity_hours_pending")
    assert "1 名志愿者" in note.title and note.link.endswith("/manage/#hours")


def test_a_confirmed_figure_above_the_span_is_credited_in_full(
    two_hours_in, people, make_volunteer, owner
):
    """Left after an hour by the check-out, but the organiser knows they served 2.5 h (the
    activity lasts 3): the record holds 2.5 h inside the activity's time."""
    (a,) = people(1)
    make_volunteer(a)
    start = two_hours_in.starts_at
    att = _attend(two_hours_in, a, came=start, left=start + timedelta(hours=1))
    services.attendance_hours_confirm(
        actor=owner, activity=two_hours_in, lines={att.pk: ("2.5", "忘记签退，实际服务到 11 点半")}
    )
    record = ServiceRecord.objects.get()
    assert record.hours == Decimal("2.50")
    assert two_hours_in.starts_at <= record.started_at < record.ended_at <= two_hours_in.ends_at
