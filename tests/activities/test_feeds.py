"""Feeds: the news Atom feed read by feedparser, the practice calendar read by icalendar."""

from datetime import timedelta

import feedparser
from icalendar import Calendar

from tests.activities.conftest import soon
from xinfeng.activities import services


def test_atom_feed_parses_and_lists_published_news(client, owner, tree):
    services.news_create(
        actor=owner, site=tree.st1, kind="news", title="水口村开展防汛演练", body="正文一"
    )
    services.news_create(
        actor=owner, site=tree.inst1, kind="announcement", title="端午节开放时间调整", body="正文二"
    )
    services.news_create(
        actor=owner, site=tree.st1, kind="news", title="未发布的稿件", body="x", publish=False
    )
    response = client.get("/activities/news/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert "水口村开展防汛演练" in titles and "【公告】端午节开放时间调整" in titles
    assert "未发布的稿件" not in titles
    entry = next(e for e in feed.entries if e.title == "水口村开展防汛演练")
    assert entry.link.startswith("http://testserver/activities/news/")
    assert entry.author == "水口村实践站"
    only_site = feedparser.parse(
        client.get("/activities/news/feed/", {"site": tree.st1.pk}).content
    )
    assert [e.title for e in only_site.entries] == ["水口村开展防汛演练"]


def test_icalendar_feed_parses_with_events_and_cancellations(
    client, make_activity, owner, outsider, tree
):
    start = soon(hours=30)
    kept = make_activity(
        title="每月云讲堂：家风家训",
        starts_at=start,
        mode="both",
        stream_url="https://live.example/1",
        is_cloud_lecture=True,
    )
    dropped = make_activity(title="户外健步走", starts_at=start + timedelta(days=1))
    make_activity(title="草稿不出现", publish=False)
    make_activity(title="江益镇的活动", site=tree.inst2, actor=outsider)
    services.activity_cancel(actor=owner, activity=dropped, reason="暴雨预警")
    response = client.get("/activities/calendar.ics", {"region": tree.t1.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0"
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"每月云讲堂：家风家训", "户外健步走"}
    ev = events["每月云讲堂：家风家训"]
    assert ev.decoded("DTSTART") == kept.starts_at
    assert ev.decoded("DTEND") == kept.ends_at
    assert str(ev["UID"]).startswith(f"activity-{kept.pk}@")
    assert str(ev["URL"]).endswith(f"/activities/{kept.pk}/")
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert str(events["户外健步走"]["STATUS"]) == "CANCELLED"


def test_calendar_page_lists_upcoming_activities_by_day(client, make_activity, tree, outsider):
    make_activity(title="家风家训讲座")
    make_activity(title="江益镇的活动", site=tree.inst2, actor=outsider)
    html = client.get("/activities/calendar/", {"region": tree.t1.pk}).content.decode()
    assert "家风家训讲座" in html and "江益镇的活动" not in html
    assert "calendar.ics?region=" in html


def test_calendar_feed_and_page_by_site(client, make_activity, tree):
    make_activity(title="站里的活动")
    make_activity(title="所里的活动", site=tree.inst1)
    cal = Calendar.from_ical(client.get("/activities/calendar.ics", {"site": tree.st1.pk}).content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["站里的活动"]
    assert "水口村实践站" in str(cal["X-WR-CALNAME"])
    html = client.get("/activities/calendar/", {"site": tree.inst1.pk}).content.decode()
    assert "所里的活动" in html and "站里的活动" not in html
    assert f"calendar.ics?site={tree.inst1.pk}" in html
