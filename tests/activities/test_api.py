"""The activities API: public list and detail, organiser writes (scoped), sign-up,
check-in, views, bookings, bad input as clear 4xx JSON."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.activities.conftest import soon, start_now
from xinfeng.activities.models import Activity

JSON = "application/json"


def _body(tree, **kw):
    start = kw.pop("start", soon())
    body = {
        "site_id": tree.st1.pk,
        "title": "普法讲座",
        "category": "law",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 30,
    }
    body.update(kw)
    return body


def test_owner_creates_and_publishes(api_as, owner, tree):
    c = api_as(owner)
    r = c.post("/api/v1/activities/", _body(tree), content_type=JSON)
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "draft"
    pk = r.json()["id"]
    r = c.post(f"/api/v1/activities/{pk}/submit")
    assert r.status_code == 200 and r.json()["state"] == "published"


def test_bad_input_gets_clear_4xx(api_as, owner, tree, venue):
    c = api_as(owner)
    start = soon()
    end_before = _body(tree, ends_at=(start - timedelta(hours=1)).isoformat(), start=start)
    r = c.post("/api/v1/activities/", end_before, content_type=JSON)
    assert r.status_code == 400 and r.json()["code"] == "end_before_start"
    for cap in (0, -3):
        r = c.post("/api/v1/activities/", _body(tree, capacity=cap), content_type=JSON)
        assert r.status_code == 400, r.content
        assert "名额" in r.json()["detail"]
    late = start.replace(hour=20)
    r = c.post(
        f"/api/v1/activities/venues/{venue.pk}/bookings",
        {
            "title": "夜场电影",
            "organisation": "放映队",
            "starts_at": late.isoformat(),
            "ends_at": (late + timedelta(hours=2)).isoformat(),
        },
        content_type=JSON,
    )
    assert r.status_code == 400 and r.json()["code"] == "outside_opening_hours"
    r = c.post("/api/v1/activities/", _body(tree, category="nope"), content_type=JSON)
    assert r.status_code == 422


def test_booking_clash_is_409_naming_the_booking(api_as, owner, tree, venue):
    c = api_as(owner)
    start = soon()
    r = c.post(
        "/api/v1/activities/",
        _body(tree, venue_id=venue.pk, start=start, title="广场舞培训"),
        content_type=JSON,
    )
    assert r.status_code == 201
    r = c.post(
        f"/api/v1/activities/venues/{venue.pk}/bookings",
        {
            "title": "合唱排练",
            "organisation": "合唱团",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
        content_type=JSON,
    )
    assert r.status_code == 409
    assert r.json()["code"] == "booking_clash" and "广场舞培训" in r.json()["detail"]
    bookings = c.get(
        f"/api/v1/activities/venues/{venue.pk}/bookings",
        {"start": start.date().isoformat(), "days": 1},
    ).json()
    assert [b["title"] for b in bookings] == ["广场舞培训"]


def test_outsider_sees_drafts_as_404_and_cannot_manage(api_as, outsider, make_activity):
    draft = make_activity(publish=False)
    published = make_activity()
    c = api_as(outsider)
    assert c.get(f"/api/v1/activities/{draft.pk}").status_code == 404
    assert c.get(f"/api/v1/activities/{published.pk}/signups").status_code == 404
    assert (
        c.patch(f"/api/v1/activities/{published.pk}", {"title": "x"}, content_type=JSON).status_code
        == 404
    )
    assert (
        c.post(
            f"/api/v1/activities/{published.pk}/cancel", {"reason": "x"}, content_type=JSON
        ).status_code
        == 404
    )
    ids = [a["id"] for a in c.get("/api/v1/activities/manage").json()["items"]]
    assert ids == []


def test_sign_up_and_cancel_through_the_api(api_as, make_activity, people):
    activity = make_activity(capacity=1)
    a, b = people(2)
    r = api_as(a).post(f"/api/v1/activities/{activity.pk}/signups")
    assert r.status_code == 201 and r.json()["state"] == "confirmed"
    r2 = api_as(b).post(f"/api/v1/activities/{activity.pk}/signups")
    assert r2.json()["state"] == "waitlisted"
    assert api_as(a).post(f"/api/v1/activities/{activity.pk}/signups").status_code == 409
    r = api_as(a).post(f"/api/v1/activities/signups/{r.json()['id']}/cancel")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    mine = api_as(b).get("/api/v1/activities/my/signups").json()["items"]
    assert mine[0]["state"] == "confirmed"


def test_anonymous_cannot_sign_up(client, make_activity):
    activity = make_activity()
    r = client.post(f"/api/v1/activities/{activity.pk}/signups")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"


def test_check_in_by_code_and_geofence_through_the_api(api_as, make_activity, people, owner):
    activity = start_now(make_activity())
    other = start_now(make_activity(title="别的活动"))
    a, b = people(2)
    code = api_as(owner).get(f"/api/v1/activities/{activity.pk}/checkin-code").json()
    assert len(code["code"]) == 6 and "/scan/?t=" in code["qr_url"]
    wrong = other.checkin_code if other.checkin_code != activity.checkin_code else "000000"
    r = api_as(a).post(
        f"/api/v1/activities/{activity.pk}/check-in",
        {"method": "code", "code": wrong},
        content_type=JSON,
    )
    assert r.status_code == 400 and r.json()["code"] == "wrong_code"
    r = api_as(a).post(
        f"/api/v1/activities/{activity.pk}/check-in",
        {"method": "code", "code": code["code"]},
        content_type=JSON,
    )
    assert r.status_code == 201
    far = {"method": "geofence", "latitude": 29.35, "longitude": 115.9, "location_consent": True}
    r = api_as(b).post(f"/api/v1/activities/{activity.pk}/check-in", far, content_type=JSON)
    assert r.status_code == 400 and r.json()["code"] == "too_far"
    near = {
        "method": "geofence",
        "latitude": 29.2501,
        "longitude": 115.8001,
        "location_consent": True,
    }
    r = api_as(b).post(f"/api/v1/activities/{activity.pk}/check-in", near, content_type=JSON)
    assert r.status_code == 201
    token = code["qr_url"].split("t=")[1]
    r = api_as(a).post(
        f"/api/v1/activities/{activity.pk}/check-out",
        {"method": "qr", "token": token},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["checked_out_at"]
    rows = api_as(owner).get(f"/api/v1/activities/{activity.pk}/attendances").json()["items"]
    assert len(rows) == 2


def test_online_views_counted_once_through_the_api(api_as, make_activity, people):
    activity = make_activity(mode="online", stream_url="https://live.example/1")
    (a,) = people(1)
    r1 = api_as(a).post(
        f"/api/v1/activities/{activity.pk}/views", {"kind": "live"}, content_type=JSON
    )
    r2 = api_as(a).post(
        f"/api/v1/activities/{activity.pk}/views", {"kind": "replay"}, content_type=JSON
    )
    assert r1.json() == {"counted": True, "online_viewers": 1}
    assert r2.json() == {"counted": False, "online_viewers": 1}


def test_public_list_filters_and_query_count(client, make_activity, tree):
    for i in range(3):
        make_activity(title=f"活动{i}")
    with CaptureQueriesContext(connection) as few:
        r = client.get("/api/v1/activities/", {"limit": 50})
    for i in range(3, 12):
        make_activity(title=f"活动{i}")
    with CaptureQueriesContext(connection) as many:
        r = client.get("/api/v1/activities/", {"limit": 50})
    assert len(r.json()["items"]) == 12
    assert len(many.captured_queries) == len(few.captured_queries)
    near = client.get(
        "/api/v1/activities/", {"near_lat": 29.25, "near_lng": 115.8, "radius_m": 1000}
    ).json()
    assert len(near["items"]) == 12 and near["items"][0]["distance_m"] == 0
    far = client.get("/api/v1/activities/", {"near_lat": 30.5, "near_lng": 114.3}).json()
    assert far["items"] == []
    assert client.get("/api/v1/activities/", {"region_id": tree.t2.pk}).json()["items"] == []


def test_list_pages_with_a_cursor(client, make_activity):
    for i in range(5):
        make_activity(title=f"活动{i}", starts_at=soon(hours=48 + i))
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/activities/", params).json()
        seen += [a["title"] for a in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [f"活动{i}" for i in range(5)]


def test_headcount_and_audience_totals(api_as, owner, make_activity, tree, client):
    activity = start_now(make_activity())
    r = api_as(owner).post(
        f"/api/v1/activities/{activity.pk}/headcount", {"headcount": 40}, content_type=JSON
    )
    assert r.status_code == 200 and r.json()["extra_headcount"] == 40
    r = api_as(owner).post(
        f"/api/v1/activities/{activity.pk}/headcount", {"headcount": -1}, content_type=JSON
    )
    assert r.status_code == 400
    total = client.get("/api/v1/activities/audience/total", {"region_id": tree.city.pk}).json()
    assert total["offline"] == 40 and total["total"] == 40
    by_region = client.get(
        "/api/v1/activities/audience/by-region", {"region_id": tree.city.pk}
    ).json()
    assert {r["name"]: r["total"] for r in by_region} == {"苏家垱乡": 40, "江益镇": 0}
    assert client.get("/api/v1/activities/audience/by-month").status_code == 200
    assert client.get("/api/v1/activities/audience/by-site").json()[0]["total"] == 40


def test_site_settings_require_review_through_the_api(api_as, owner, outsider, tree):
    r = api_as(owner).patch(
        f"/api/v1/activities/sites/{tree.st1.pk}/settings",
        {"requires_review": True, "geofence_radius_m": 500},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["requires_review"] is True
    r = api_as(owner).patch(
        f"/api/v1/activities/sites/{tree.st1.pk}/settings",
        {"geofence_radius_m": 5},
        content_type=JSON,
    )
    assert r.status_code == 400
    r = api_as(outsider).patch(
        f"/api/v1/activities/sites/{tree.st1.pk}/settings",
        {"requires_review": False},
        content_type=JSON,
    )
    assert r.status_code == 403


def test_report_published_as_news(api_as, owner, make_activity, client):
    activity = start_now(make_activity(title="重阳敬老活动"))
    c = api_as(owner)
    assert c.post(f"/api/v1/activities/{activity.pk}/report/publish").status_code == 404
    r = c.put(
        f"/api/v1/activities/{activity.pk}/report",
        {"body": "为 80 位老人理发、义诊。", "summary": "敬老"},
        content_type=JSON,
    )
    assert r.status_code == 200
    r = c.post(f"/api/v1/activities/{activity.pk}/report/publish")
    assert r.status_code == 201 and r.json()["title"] == "重阳敬老活动"
    assert c.post(f"/api/v1/activities/{activity.pk}/report/publish").status_code == 409
    news = client.get("/api/v1/activities/news").json()["items"]
    assert news[0]["activity_id"] == activity.pk


def test_naive_times_are_read_as_beijing_time(api_as, owner, tree):
    start = soon().replace(tzinfo=None)
    r = api_as(owner).post("/api/v1/activities/", _body(tree, start=start), content_type=JSON)
    assert r.status_code == 201
    a = Activity.objects.get(pk=r.json()["id"])
    from django.utils import timezone

    assert timezone.localtime(a.starts_at).replace(tzinfo=None) == start


def test_organiser_checks_in_a_person_via_api(api_as, owner, make_activity, people):
    activity = start_now(make_activity())
    (a,) = people(1)
    r = api_as(owner).post(
        f"/api/v1/activities/{activity.pk}/check-in",
        {"method": "organiser", "person_id": a.pk},
        content_type=JSON,
    )
    assert r.status_code == 201 and r.json()["check_in_method"] == "organiser"
    r = api_as(a).post(
        f"/api/v1/activities/{activity.pk}/check-in",
        {"method": "organiser", "person_id": a.pk},
        content_type=JSON,
    )
    assert r.status_code == 403


def _png(name="photo.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_report_photos_and_cover_upload(api_as, owner, make_activity, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    activity = start_now(make_activity(title="植树护绿"))
    c = api_as(owner)
    r = c.post(f"/api/v1/activities/{activity.pk}/cover", {"cover": _png("cover.png")})
    assert r.status_code == 200 and r.json()["cover_url"].startswith("/media/activities/covers/")
    c.put(
        f"/api/v1/activities/{activity.pk}/report",
        {"body": "种下 200 棵树。"},
        content_type=JSON,
    )
    r = c.post(f"/api/v1/activities/{activity.pk}/report/photos?caption=现场", {"image": _png()})
    assert r.status_code == 201 and r.json()["photos"][0]["caption"] == "现场"
    bad = c.post(
        f"/api/v1/activities/{activity.pk}/report/photos",
        {"image": SimpleUploadedFileText()},
    )
    assert bad.status_code == 400
    news = c.post(f"/api/v1/activities/{activity.pk}/report/publish").json()
    assert news["cover_url"] and news["cover_url"].endswith(".png")
    page = client.get(f"/activities/news/{news['id']}/").content.decode()
    assert "种下 200 棵树。" in page and "现场" in page


def SimpleUploadedFileText():  # noqa: N802 (reads like the Django class it builds)
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.png", b"not an image", content_type="image/png")


def test_organiser_lists_have_constant_query_counts(api_as, owner, make_activity, people):
    activity = start_now(make_activity(capacity=50), minutes_ago=-30)  # starts in 30 minutes
    c = api_as(owner)

    def counts():
        out = []
        for path in ("signups", "attendances"):
            with CaptureQueriesContext(connection) as ctx:
                r = c.get(f"/api/v1/activities/{activity.pk}/{path}")
            assert r.status_code == 200
            out.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            c.get("/api/v1/activities/manage")
        out.append(len(ctx.captured_queries))
        return out

    from xinfeng.activities import services

    def join(users):
        for u in users:
            services.signup_create(actor=u, activity=activity)
            services.attendance_check_in(
                actor=u, activity=activity, method="code", code=activity.checkin_code
            )

    join(people(2, prefix="a"))
    counts()  # warm up: the first bearer request also stamps the token's last use
    few = counts()
    join(people(10, prefix="b"))
    for i in range(5):
        make_activity(title=f"更多活动{i}")
    # New users (and their roles) bump the token cache's version: the next bearer request
    # reads its token and roles again, once; after that the counts must be those of `few`.
    counts()
    assert counts() == few


def test_the_volunteer_calls_of_the_mix_keep_their_statements(
    api_as, make_activity, people, django_assert_max_num_queries
):
    """#18: sign-up, cancel and check-in read the activity once for visibility (its state
    only) and once under the lock; the cancel's answer comes with its person. Ceilings
    include the test transaction's SAVEPOINT/RELEASE pair (and, the first time, a
    role-cache read); a draft still answers 404."""
    activity = make_activity()
    ongoing = start_now(make_activity(title="进行中"))
    draft = make_activity(publish=False, title="草稿")
    (a,) = people(1)
    client = api_as(a)
    client.get("/api/v1/activities/my/signups")  # the token warm
    with django_assert_max_num_queries(9):
        r = client.post(f"/api/v1/activities/{activity.pk}/signups")
    assert r.status_code == 201, r.content
    with django_assert_max_num_queries(8):  # was 9: the person read after the answer
        r = client.post(f"/api/v1/activities/signups/{r.json()['id']}/cancel")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    with django_assert_max_num_queries(9):
        r = client.post(
            f"/api/v1/activities/{ongoing.pk}/check-in",
            {"method": "code", "code": ongoing.checkin_code},
            content_type=JSON,
        )
    assert r.status_code == 201, r.content
    with django_assert_max_num_queries(1):
        assert client.get("/api/v1/activities/my/signups").status_code == 200
    assert client.post(f"/api/v1/activities/{draft.pk}/signups").status_code == 404
