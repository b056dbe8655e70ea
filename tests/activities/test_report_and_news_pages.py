"""Pages of the organiser's writing work: the activity report with photos published as
news, a site's news and announcements, editing an activity, and a resident cancelling a
sign-up on the page (the waiting list moves up)."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import localtime
from PIL import Image

from tests.activities.conftest import start_now
from xinfeng.activities import services
from xinfeng.activities.models import ActivityReport, News, Signup


def _jpeg(name="photo.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 160, 20)).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_report_with_photos_is_published_as_news_on_the_page(
    client, owner, outsider, make_activity, media
):
    activity = make_activity(title="重阳节敬老义诊")
    client.force_login(owner)
    url = f"/activities/{activity.pk}/manage/report/"
    early = client.post(url, {"body": "还没开始"})
    assert early.status_code == 409 and "活动开始后才能撰写活动报道" in early.content.decode()
    start_now(activity)
    r = client.post(
        url,
        {
            "summary": "为 60 位老人义诊",
            "body": "现场量血压、测血糖。",
            "photo": _jpeg(),
            "caption": "义诊现场",
        },
    )
    assert r.status_code == 302
    report = ActivityReport.objects.get(activity=activity)
    assert report.photos.get().caption == "义诊现场"
    bad = client.post(
        url,
        {"body": "现场量血压、测血糖。", "photo": SimpleUploadedFile("x.jpg", b"not a photo")},
    )
    assert bad.status_code == 400 and report.photos.count() == 1
    r = client.post(url, {"publish": "1"})
    news = News.objects.get(activity=activity)
    assert r.status_code == 302 and r["Location"] == f"/activities/news/{news.pk}/"
    assert news.title == "重阳节敬老义诊" and news.cover.name == report.photos.get().image.name
    html = client.get(f"/activities/news/{news.pk}/").content.decode()
    assert "现场量血压" in html and "义诊现场" in html
    again = client.post(url, {"publish": "1"})
    assert again.status_code == 409
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_site_staff_post_news_and_announcements_on_the_page(
    client, owner, outsider, tree, resident, media
):
    client.force_login(owner)
    r = client.post(
        "/activities/news/new/",
        {
            "site": tree.st1.pk,
            "kind": "announcement",
            "title": "端午节开放时间",
            "body": "照常开放",
        },
    )
    assert r.status_code == 302
    bad = client.post("/activities/news/new/", {"site": tree.st1.pk, "kind": "news", "title": "x"})
    assert bad.status_code == 400
    html = client.get("/activities/news/", {"site": tree.st1.pk}).content.decode()
    assert "端午节开放时间" in html and "公告" in html
    assert f"/activities/news/feed/?site={tree.st1.pk}" in html
    # Staff of another township cannot post for this site; residents have no form at all.
    client.force_login(outsider)
    r = client.post(
        "/activities/news/new/",
        {"site": tree.st1.pk, "kind": "news", "title": "越权", "body": "x"},
    )
    assert r.status_code == 400 and not News.objects.filter(title="越权").exists()
    client.force_login(resident)
    assert client.get("/activities/news/new/").status_code == 404


def test_editing_an_activity_on_the_page(client, owner, tree, make_activity, people):
    activity = make_activity(capacity=3)
    for u in people(2):
        services.signup_create(actor=u, activity=activity)
    client.force_login(owner)
    url = f"/activities/{activity.pk}/manage/edit/"
    form = client.get(url).content.decode()
    assert "防诈骗知识讲座" in form
    start = activity.starts_at + timedelta(hours=1)
    data = {
        "site": tree.st1.pk,
        "title": "防诈骗知识讲座（改期）",
        "category": "law",
        "starts_at": localtime(start).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": localtime(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 1,
        "mode": "offline",
        "eligibility": "everyone",
    }
    r = client.post(url, data)
    assert r.status_code == 400 and "名额不能少于已报名人数（2）" in r.content.decode()
    data["capacity"] = 5
    assert client.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.category, activity.capacity) == (
        "防诈骗知识讲座（改期）",
        "law",
        5,
    )
    assert activity.starts_at == start


def test_resident_cancels_on_the_page_and_the_next_person_moves_up(client, make_activity, people):
    activity = make_activity(capacity=1)
    first, second, third = people(3)
    for u in (first, second, third):
        services.signup_create(actor=u, activity=activity)
    client.force_login(third)
    html = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "您在候补名单第 2 位" in html
    client.force_login(first)
    r = client.post(f"/activities/{activity.pk}/signup/cancel/", follow=True)
    assert "已取消报名" in r.content.decode()
    states = dict(Signup.objects.filter(activity=activity).values_list("user__username", "state"))
    assert states == {"p0": "cancelled", "p1": "confirmed", "p2": "waitlisted"}
    again = client.post(f"/activities/{activity.pk}/signup/cancel/")
    assert again.status_code == 404 and "您没有报名此活动" in again.content.decode()
    client.force_login(third)
    assert "您在候补名单第 1 位" in client.get(f"/activities/{activity.pk}/").content.decode()
    my = client.get("/activities/my/").content.decode()
    assert "防诈骗知识讲座" in my
