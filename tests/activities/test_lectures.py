"""云讲堂: the page plays the site's stream (HLS or a video file) once the lecture has
started and the replay after it; a viewer counts once per lecture when the video really
plays (the play beacon), not when the page opens; finishing keeps the stream as replay."""

from django.test import Client

from tests.activities.conftest import start_now
from xinfeng.activities import services
from xinfeng.activities.models import Activity, OnlineView

STREAM = "https://live.example.cn/xinfeng/lecture.m3u8"


def _lecture(make_activity, **kw):
    kw.setdefault("mode", "online")
    kw.setdefault("stream_url", STREAM)
    kw.setdefault("is_cloud_lecture", True)
    kw.setdefault("title", "每月云讲堂：家风家训")
    return make_activity(**kw)


def _viewers(activity) -> int:
    return Activity.objects.get(pk=activity.pk).online_viewers


def test_opening_the_page_counts_nobody_playing_counts_once(client, make_activity):
    lecture = start_now(_lecture(make_activity))
    page = client.get(f"/activities/{lecture.pk}/watch/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-src="{STREAM}"' in html and 'data-player="hls"' in html
    assert "vendor/hls/hls.light.min.js" in html
    client.get(f"/activities/{lecture.pk}/watch/")
    assert _viewers(lecture) == 0
    beacon = f"/activities/{lecture.pk}/watch/play/"
    first = client.post(beacon).json()
    again = client.post(beacon).json()
    assert first == {"counted": True, "online_viewers": 1}
    assert again == {"counted": False, "online_viewers": 1}
    other = Client()
    other.get(f"/activities/{lecture.pk}/watch/")
    assert other.post(beacon).json()["counted"] is True
    assert _viewers(lecture) == 2
    assert OnlineView.objects.filter(activity=lecture, kind="live").count() == 2


def test_a_signed_in_viewer_counts_once_across_devices(make_activity, people):
    lecture = start_now(_lecture(make_activity))
    (person,) = people(1)
    for _device in range(2):
        c = Client()
        c.force_login(person)
        c.get(f"/activities/{lecture.pk}/watch/")
        c.post(f"/activities/{lecture.pk}/watch/play/")
    assert _viewers(lecture) == 1


def test_before_the_start_the_page_says_when_and_counts_nothing(client, make_activity):
    lecture = _lecture(make_activity)
    html = client.get(f"/activities/{lecture.pk}/watch/").content.decode()
    assert "直播将于" in html and "lecture-player" not in html
    r = client.post(f"/activities/{lecture.pk}/watch/play/")
    assert r.status_code == 409 and r.json()["code"] == "not_playing"
    assert _viewers(lecture) == 0


def test_the_beacon_needs_the_viewer_cookie_or_an_account(make_activity):
    lecture = start_now(_lecture(make_activity))
    r = Client().post(f"/activities/{lecture.pk}/watch/play/")
    assert r.status_code == 400 and r.json()["code"] == "bad_viewer"


def test_finishing_keeps_the_stream_as_the_replay(client, owner, make_activity):
    lecture = start_now(_lecture(make_activity))
    services.activity_finish(actor=owner, activity=lecture)
    lecture.refresh_from_db()
    assert lecture.replay_url == STREAM
    html = client.get(f"/activities/{lecture.pk}/watch/").content.decode()
    assert "回放 · 每月云讲堂" in html and 'data-kind="replay"' in html
    client.post(f"/activities/{lecture.pk}/watch/play/")
    assert OnlineView.objects.get(activity=lecture).kind == "replay"


def test_a_video_file_plays_without_the_hls_player(client, make_activity):
    lecture = start_now(_lecture(make_activity, stream_url="https://cdn.example.cn/talk.mp4"))
    html = client.get(f"/activities/{lecture.pk}/watch/").content.decode()
    assert 'data-player="file"' in html and "hls.light.min.js" not in html


def test_the_page_lets_media_come_from_the_stream_origin_only(client, make_activity):
    lecture = start_now(_lecture(make_activity))
    csp = client.get(f"/activities/{lecture.pk}/watch/")["Content-Security-Policy"]
    assert "media-src 'self' blob: https://live.example.cn" in csp
    assert "connect-src 'self' https://live.example.cn" in csp
    other = client.get(f"/activities/{lecture.pk}/")["Content-Security-Policy"]
    assert "live.example.cn" not in other


def test_the_lecture_page_lists_live_next_and_replays(client, owner, make_activity):
    live = start_now(_lecture(make_activity, title="正在讲：家风家训"))
    _lecture(make_activity, title="下月讲：垃圾分类")
    past = start_now(_lecture(make_activity, title="上月讲：防诈骗"), minutes_ago=60 * 24 * 30)
    services.activity_finish(actor=owner, activity=past)
    _lecture(make_activity, title="不是云讲堂", is_cloud_lecture=False)
    html = client.get("/activities/lectures/").content.decode()
    assert (
        html.index("正在讲：家风家训")
        < html.index("下月讲：垃圾分类")
        < html.index("上月讲：防诈骗")
    )
    assert "不是云讲堂" not in html
    assert f"/activities/{live.pk}/watch/" in html


def test_the_lecture_pages_speak_english(client, owner, make_activity):
    import re

    lecture = start_now(_lecture(make_activity, title="Lecture"))
    for url in ("/activities/lectures/", f"/activities/{lecture.pk}/watch/"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        text = re.sub(r"<[^>]+>", " ", main)
        site = lecture.site.name
        assert not re.search(r"[\u4e00-\u9fff]", text.replace(site, "")), (url, text)
