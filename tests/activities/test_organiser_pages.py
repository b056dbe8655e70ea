"""Organiser pages: check people in and out, the headcount, review by the level above, the
audience page and API totals, the list's region filter, covers that must be images, and
the site page linking to its news, calendar and rooms."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.activities.conftest import soon, start_now
from tests.factories import UserFactory, VenueFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.activities import services
from xinfeng.activities.models import Activity, ActivitySiteSettings, Attendance
from xinfeng.core.errors import ValidationFailed


def test_organiser_checks_a_volunteer_in_and_out_on_the_page(
    client, owner, make_activity, people, make_volunteer
):
    activity = start_now(make_activity())
    (a,) = people(1)
    make_volunteer(a)
    client.force_login(owner)
    url = f"/activities/{activity.pk}/manage/person/"
    r = client.post(url, {"user": a.pk, "op": "in"})
    assert r.status_code == 302
    assert Attendance.objects.get(activity=activity, user=a).check_in_method == "organiser"
    again = client.post(url, {"user": a.pk, "op": "in"})
    assert again.status_code == 409 and "已签到" in again.content.decode()
    # An hour of service (below the 30-minute minimum nothing would be credited).
    hour_ago = timezone.now() - timedelta(hours=1)
    Activity.objects.filter(pk=activity.pk).update(starts_at=hour_ago)
    Attendance.objects.filter(user=a).update(checked_in_at=hour_ago)
    r = client.post(url, {"user": a.pk, "op": "out"})
    assert r.status_code == 302
    att = Attendance.objects.get(activity=activity, user=a)
    assert att.check_out_method == "organiser" and att.service_record.verified_by == owner
    html = client.get(f"/activities/{activity.pk}/manage/").content.decode()
    assert "组织者确认" in html
    assert client.post(url, {"user": "x", "op": "in"}).status_code == 404


def test_headcount_on_the_manage_page(client, owner, outsider, make_activity):
    activity = start_now(make_activity())
    client.force_login(owner)
    url = f"/activities/{activity.pk}/manage/headcount/"
    assert client.post(url, {"headcount": 25}).status_code == 302
    assert Activity.objects.get(pk=activity.pk).extra_headcount == 25
    bad = client.post(url, {"headcount": -4})
    assert bad.status_code == 400 and "现场人数必须是 0 或正整数" in bad.content.decode()
    client.force_login(outsider)
    assert client.post(url, {"headcount": 99}).status_code == 404
    assert Activity.objects.get(pk=activity.pk).extra_headcount == 25


def test_level_above_reviews_on_the_manage_page(client, tree, owner, make_activity):
    ActivitySiteSettings.objects.create(site=tree.st1, requires_review=True)
    station_op = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    activity = make_activity(publish=False, actor=station_op)
    client.force_login(station_op)
    url = f"/activities/{activity.pk}/manage/action/"
    assert client.post(url, {"action": "submit"}).status_code == 302
    assert Activity.objects.get(pk=activity.pk).state == "submitted"
    page = client.get(f"/activities/{activity.pk}/manage/").content.decode()
    assert 'value="approve"' not in page  # the station is not the level above
    assert client.post(url, {"action": "approve"}).status_code == 403
    client.force_login(owner)  # staff of the institute's township
    page = client.get(f"/activities/{activity.pk}/manage/").content.decode()
    assert 'value="approve"' in page and 'value="reject"' in page
    r = client.post(url, {"action": "reject", "reason": ""})
    assert r.status_code == 400 and "退回须说明原因" in r.content.decode()
    assert client.post(url, {"action": "approve"}).status_code == 302
    assert Activity.objects.get(pk=activity.pk).state == "published"


def test_audience_page_and_api_show_totals_by_region_site_and_month(client, tree, make_activity):
    a1 = make_activity(mode="both", stream_url="https://live.example/1")
    a2 = make_activity(site=tree.inst1)
    Activity.objects.filter(pk=a1.pk).update(checkin_count=11, extra_headcount=7, online_viewers=90)
    Activity.objects.filter(pk=a2.pk).update(checkin_count=4)
    html = client.get("/activities/audience/", {"region": tree.city.pk}).content.decode()
    for figure in ("22", "90", "112", "108", "苏家垱乡", "水口村实践站", "苏家垱乡实践所"):
        assert figure in html, figure
    month = timezone.localtime(a1.starts_at).strftime("%Y-%m")
    assert month in html
    one = client.get(f"/api/v1/activities/{a1.pk}/audience").json()
    assert one == {"activities": 1, "offline": 18, "online": 90, "total": 108}
    site = client.get("/api/v1/activities/audience/total", {"site_id": tree.st1.pk}).json()
    assert site["total"] == 108
    months = client.get("/api/v1/activities/audience/by-month", {"region_id": tree.t1.pk}).json()
    assert sum(m["total"] for m in months) == 112


def test_list_filters_by_region(client, tree, make_activity, outsider):
    make_activity(title="苏家垱乡的活动")
    make_activity(title="江益镇的活动", site=tree.inst2, actor=outsider)
    html = client.get("/activities/", {"region": tree.t2.pk}, HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert "江益镇的活动" in html and "苏家垱乡的活动" not in html


def _image(fmt="PNG", name="cover.png"):
    buf = io.BytesIO()
    Image.new("RGB", (12, 8), (10, 120, 40)).save(buf, format=fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_cover_must_be_an_image(client, api_as, owner, tree, make_activity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("cover.png", b"<?php echo 1; ?>", content_type="image/png")
    try:
        make_activity(cover=fake)
    except ValidationFailed as exc:
        assert exc.code == "bad_image"
    else:
        raise AssertionError("a text file was accepted as a cover")
    activity = make_activity(cover=_image())
    assert Activity.objects.get(pk=activity.pk).cover.name.startswith("activities/covers/")
    fake.seek(0)
    r = api_as(owner).post(f"/api/v1/activities/{activity.pk}/cover", {"cover": fake})
    assert r.status_code == 400 and r.json()["code"] == "bad_image"
    client.force_login(owner)
    start = soon()
    fake.seek(0)
    page = client.post(
        "/activities/manage/new/",
        {
            "site": tree.st1.pk,
            "title": "带封面的活动",
            "category": "culture",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 20,
            "mode": "offline",
            "eligibility": "everyone",
            "cover": fake,
        },
    )
    assert page.status_code == 400
    assert not Activity.objects.filter(title="带封面的活动").exists()
    html = client.get(f"/activities/{activity.pk}/").content.decode()
    assert 'class="act-cover"' in html


def test_site_page_links_to_its_news_calendar_and_rooms(client, tree):
    venue = VenueFactory(site=tree.st1, name="多功能厅")
    html = client.get(f"/places/sites/{tree.st1.pk}/").content.decode()
    assert f"/activities/news/?site={tree.st1.pk}" in html
    assert f"/activities/calendar/?site={tree.st1.pk}" in html
    assert f"/activities/venues/{venue.pk}/" in html
    calendar = client.get("/activities/calendar/", {"site": tree.st1.pk})
    assert calendar.status_code == 200


def test_only_the_level_above_switches_review(client, api_as, tree, owner):
    """A station's own staff set its geofence and check-in window, but cannot lift the review
    its institute asked for (API 403, and the page shows the setting read-only)."""
    station_op = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    url = f"/api/v1/activities/sites/{tree.st1.pk}/settings"
    r = api_as(owner).patch(url, {"requires_review": True}, content_type="application/json")
    assert r.status_code == 200
    c = api_as(station_op)
    r = c.patch(url, {"requires_review": False}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "review_set_by_level_above"
    r = c.patch(
        url, {"geofence_radius_m": 800, "requires_review": None}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["requires_review"] is True
    client.force_login(station_op)
    page = f"/activities/sites/{tree.st1.pk}/settings/"
    html = client.get(page).content.decode()
    assert "由上一级阵地设置" in html and "disabled" in html
    # Posting the form without the (disabled) checkbox keeps review on.
    r = client.post(page, {"geofence_radius_m": 600, "checkin_opens_minutes": 30})
    assert r.status_code == 302
    s = ActivitySiteSettings.objects.get(site=tree.st1)
    assert (s.requires_review, s.geofence_radius_m) == (True, 600)


def test_manage_list_shows_my_scope_and_what_waits_for_my_review(
    client, tree, owner, outsider, make_activity
):
    ActivitySiteSettings.objects.create(site=tree.st1, requires_review=True)
    station_op = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    waiting = make_activity(publish=False, actor=station_op, title="待审的科普活动")
    services.activity_submit(actor=station_op, activity=waiting)
    make_activity(title="江益镇的活动", site=tree.inst2, actor=outsider)
    client.force_login(owner)
    html = client.get("/activities/manage/").content.decode()
    assert "待我审核" in html and "待审的科普活动" in html and "江益镇的活动" not in html
    client.force_login(station_op)
    html = client.get("/activities/manage/").content.decode()
    assert "待审的科普活动" in html and "待我审核" not in html
    html = client.get("/activities/manage/", {"state": "published"}).content.decode()
    assert "待审的科普活动" not in html


def test_forgotten_check_out_shows_flagged_on_the_manage_page(client, owner, make_activity, people):
    activity = start_now(make_activity(), minutes_ago=150, hours=2)  # ended 30 minutes ago
    (a,) = people(1)
    Attendance.objects.create(
        activity=activity, user=a, checked_in_at=activity.starts_at, check_in_method="code"
    )
    assert services.close_forgotten_checkouts() == 1
    client.force_login(owner)
    html = client.get(f"/activities/{activity.pk}/manage/").content.decode()
    assert "自动签退" in html and "badge-warn" in html
