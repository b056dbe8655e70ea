"""Pages: the phone list with its filters, the activity page with sign-up and check-in,
organiser pages (scoped), the venue calendar, news, the practice calendar."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.activities.conftest import soon, start_now
from tests.factories import RegionFactory, SiteFactory
from xinfeng.activities import services
from xinfeng.activities.models import Signup, VenueBooking
from xinfeng.regions.choices import RegionLevel


def test_list_shows_published_upcoming_activities_only(client, make_activity):
    make_activity(title="公开活动")
    make_activity(title="草稿活动", publish=False)
    html = client.get("/activities/").content.decode()
    assert "公开活动" in html and "草稿活动" not in html


def rows(client, **params) -> str:
    """The list's rows only (the htmx partial the filter form swaps in)."""
    return client.get("/activities/", params, HTTP_HX_REQUEST="true").content.decode()


def test_list_filters_by_category_and_date(client, make_activity):
    start = soon(hours=72)
    make_activity(title="广场健身操", category="sport", starts_at=start)
    make_activity(title="党的政策进万家", category="theory", starts_at=start + timedelta(days=1))
    html = rows(client, category="sport")
    assert "广场健身操" in html and "党的政策进万家" not in html
    html = rows(client, date=(start + timedelta(days=1)).date().isoformat())
    assert "党的政策进万家" in html and "广场健身操" not in html


def test_list_near_a_village_sorts_by_distance_and_drops_far_ones(client, tree, make_activity):
    far_village = RegionFactory(
        name="远方村", level=RegionLevel.VILLAGE, parent=tree.t1, latitude=29.6, longitude=116.2
    )
    far_site = SiteFactory(name="远方站", region=far_village, latitude=29.6, longitude=116.2)
    near_village = RegionFactory(
        name="近邻村", level=RegionLevel.VILLAGE, parent=tree.t1, latitude=29.252, longitude=115.801
    )
    make_activity(title="远方活动", site=far_site)
    make_activity(title="身边活动")
    html = rows(client, near=near_village.pk, radius=3000)
    assert "身边活动" in html and "远方活动" not in html
    assert "米" in html  # the distance is shown


def test_list_near_browser_location(client, make_activity):
    make_activity(title="身边活动")
    html = rows(client, lat="29.2501", lng="115.8001")
    assert "身边活动" in html


def test_list_query_count_is_constant(client, make_activity, resident):
    for i in range(3):
        make_activity(title=f"活动{i}")
    client.force_login(resident)
    client.get("/activities/")
    with CaptureQueriesContext(connection) as few:
        client.get("/activities/")
    for i in range(3, 15):
        make_activity(title=f"活动{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/activities/")
    assert response.content.decode().count('class="list-item"') == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_resident_signs_up_on_the_activity_page(client, make_activity, resident):
    activity = make_activity()
    client.force_login(resident)
    response = client.post(f"/activities/{activity.pk}/signup/", follow=True)
    assert "您已报名成功" in response.content.decode()
    assert Signup.objects.get(activity=activity, user=resident).state == "confirmed"


def test_second_signup_on_the_page_gets_409_with_message(client, make_activity, resident):
    activity = make_activity()
    client.force_login(resident)
    client.post(f"/activities/{activity.pk}/signup/")
    response = client.post(f"/activities/{activity.pk}/signup/")
    assert response.status_code == 409
    assert "您已报名此活动" in response.content.decode()


def test_wrong_code_on_the_page_gets_400(client, make_activity, resident):
    activity = start_now(make_activity())
    client.force_login(resident)
    response = client.post(
        f"/activities/{activity.pk}/check/", {"method": "code", "code": "000000x"}
    )
    assert response.status_code == 400
    assert "签到码不正确" in response.content.decode()


def test_qr_scan_page_checks_in_with_one_tap(client, make_activity, resident):
    activity = start_now(make_activity())
    client.force_login(resident)
    token = services.qr_token(activity)
    page = client.get(f"/activities/{activity.pk}/scan/", {"t": token})
    assert "确认签到" in page.content.decode()
    response = client.post(
        f"/activities/{activity.pk}/check/",
        {"method": "qr", "t": token, "direction": "in"},
        follow=True,
    )
    assert "签到成功" in response.content.decode()


def test_draft_is_404_to_the_public_and_outsiders(client, make_activity, outsider):
    activity = make_activity(publish=False)
    assert client.get(f"/activities/{activity.pk}/").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/activities/{activity.pk}/").status_code == 404
    assert client.get(f"/activities/{activity.pk}/manage/").status_code == 404


def test_organiser_sees_signups_on_the_manage_page(client, make_activity, owner, people):
    activity = make_activity()
    (a,) = people(1)
    a.display_name = "王秀兰"
    a.save()
    services.signup_create(actor=a, activity=activity)
    client.force_login(owner)
    html = client.get(f"/activities/{activity.pk}/manage/").content.decode()
    assert "王秀兰" in html and activity.checkin_code in html


def test_organiser_creates_an_activity_through_the_form(client, owner, tree, venue):
    client.force_login(owner)
    start = soon()
    data = {
        "site": tree.st1.pk,
        "title": "科普讲座",
        "category": "science",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 20,
        "venue": venue.pk,
        "mode": "offline",
        "eligibility": "everyone",
    }
    response = client.post("/activities/manage/new/", data)
    assert response.status_code == 302
    assert VenueBooking.objects.filter(venue=venue, title="科普讲座").exists()
    data["capacity"] = 0
    bad = client.post("/activities/manage/new/", data)
    assert bad.status_code == 400


def test_organiser_form_shows_the_clash(client, owner, tree, venue, make_activity):
    start = soon()
    make_activity(venue=venue, title="广场舞培训", starts_at=start)
    client.force_login(owner)
    response = client.post(
        "/activities/manage/new/",
        {
            "site": tree.st1.pk,
            "title": "科普讲座",
            "category": "science",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 20,
            "venue": venue.pk,
            "mode": "offline",
            "eligibility": "everyone",
        },
    )
    assert response.status_code == 409
    assert "广场舞培训" in response.content.decode()


def test_venue_calendar_shows_bookings_and_refuses_outside_hours(client, owner, venue):
    start = soon()
    services.booking_create(
        actor=owner,
        venue=venue,
        title="读书会",
        organisation="书友会",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    client.force_login(owner)
    week = start.date().isoformat()
    html = client.get(f"/activities/venues/{venue.pk}/", {"week": week}).content.decode()
    assert "读书会" in html and "书友会" in html
    late = start.replace(hour=21)
    response = client.post(
        f"/activities/venues/{venue.pk}/",
        {
            "title": "夜场",
            "organisation": "放映队",
            "starts_at": late.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (late + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    assert "开放时间" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/activities/calendar/", "/activities/news/", "/activities/audience/", "/activities/my/"],
)
def test_public_pages_render(client, resident, make_activity, path):
    make_activity()
    client.force_login(resident)
    assert client.get(path).status_code == 200


def test_list_pickers_offer_villages_townships_and_keep_the_choice(client, tree, resident):
    client.force_login(resident)
    html = client.get("/activities/", {"near": tree.v1.pk, "category": "law"}).content.decode()
    assert f'<option value="{tree.v1.pk}" selected>水口村</option>' in html
    assert f'<option value="{tree.v2.pk}">江益村</option>' in html
    assert f'<option value="{tree.t1.pk}">苏家垱乡</option>' in html
    assert '<option value="law" selected>法治宣传</option>' in html
    assert '<option value="5000" selected>' in html


def test_admin_lists_activities_read_only(client, make_activity, tree):
    from tests.factories import UserFactory, grant
    from xinfeng.accounts.choices import Role

    make_activity(title="后台可见的活动")
    admin_user = grant(UserFactory(is_staff=True, is_superuser=True), Role.SYSTEM_ADMIN, tree.city)
    client.force_login(admin_user)
    html = client.get("/admin/activities/activity/").content.decode()
    assert "后台可见的活动" in html
    assert client.get("/admin/activities/activity/add/").status_code == 403


def test_site_settings_page_turns_on_review(client, owner, outsider, tree):
    from xinfeng.activities.models import ActivitySiteSettings

    client.force_login(owner)
    url = f"/activities/sites/{tree.st1.pk}/settings/"
    assert client.get(url).status_code == 200
    r = client.post(
        url, {"requires_review": "on", "geofence_radius_m": 500, "checkin_opens_minutes": 30}
    )
    assert r.status_code == 302
    s = ActivitySiteSettings.objects.get(site=tree.st1)
    assert (s.requires_review, s.geofence_radius_m, s.checkin_opens_minutes) == (True, 500, 30)
    bad = client.post(url, {"geofence_radius_m": 1, "checkin_opens_minutes": 30})
    assert bad.status_code == 400
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_organiser_actions_on_the_manage_page(client, owner, make_activity, people):
    activity = make_activity(publish=False)
    client.force_login(owner)
    url = f"/activities/{activity.pk}/manage/action/"
    r = client.post(url, {"action": "submit"})
    assert r.status_code == 302
    activity.refresh_from_db()
    assert activity.state == "published"
    r = client.post(url, {"action": "cancel", "reason": ""})
    assert r.status_code == 400 and "取消活动须说明原因" in r.content.decode()
    r = client.post(url, {"action": "cancel", "reason": "场地维修"})
    activity.refresh_from_db()
    assert activity.state == "cancelled" and activity.cancel_reason == "场地维修"


def test_qr_code_is_an_svg_image_of_the_scan_url(client, owner, outsider, make_activity):
    activity = make_activity()
    client.force_login(owner)
    r = client.get(f"/activities/{activity.pk}/qr.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    body = r.content.decode()
    assert 'xmlns="http://www.w3.org/2000/svg"' in body and "<path" in body
    client.force_login(outsider)
    assert client.get(f"/activities/{activity.pk}/qr.svg").status_code == 404


def test_picker_cache_follows_region_changes(client, tree):
    client.get("/activities/")
    new = RegionFactory(
        name="新建村", level=RegionLevel.VILLAGE, parent=tree.t1, latitude=29.3, longitude=115.9
    )
    html = client.get("/activities/").content.decode()
    assert f'<option value="{new.pk}">新建村</option>' in html
    new.name = "改名村"
    new.save()
    assert "改名村" in client.get("/activities/").content.decode()
