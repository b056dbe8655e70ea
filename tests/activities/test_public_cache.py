"""The public read cache (xinfeng.core.publiccache): anonymous reads served from a
version-keyed cache, never anything personal, writes seen by the next read, ETag/304 and
the CSRF token of a cached page replaced by each visitor's own."""

import json
import re

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tests.factories import ProjectFactory, SiteFactory
from xinfeng.activities.models import Activity
from xinfeng.places.models import Site


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    return response, len(ctx.captured_queries)


def _names(client, url, field) -> list:
    return [item[field] for item in client.get(url).json()["items"]]


def test_anonymous_list_is_served_from_cache_with_headers(make_activity):
    make_activity(title="缓存讲座")
    first, cold = _get(Client(), "/activities/")
    second, warm = _get(Client(), "/activities/")
    assert first.status_code == second.status_code == 200
    assert "缓存讲座" in second.content.decode()
    assert cold > 0 and warm == 0, (cold, warm)
    vary = {v.strip() for v in second["Vary"].split(",")}
    assert {"Cookie", "Accept-Language"} <= vary
    assert {"private", "no-cache"} <= {v.strip() for v in second["Cache-Control"].split(",")}
    assert second["ETag"] == first["ETag"] and second["Last-Modified"]


def test_write_is_seen_by_next_anonymous_read_for_each_topic(make_activity, tree):
    activity = make_activity(title="第一场")
    client = Client()
    assert "第一场" in client.get("/activities/").content.decode()
    # activities: QuerySet.update (no signals) is seen too
    Activity.objects.filter(pk=activity.pk).update(title="改名之后")
    page = client.get("/activities/").content.decode()
    assert "改名之后" in page and "第一场" not in page
    assert "改名之后" in client.get(f"/activities/{activity.pk}/").content.decode()
    # places: page and API
    assert "新开的站" not in client.get("/places/sites/").content.decode()
    client.get("/api/v1/places/sites?limit=50")
    site = SiteFactory(name="新开的站", region=tree.v1, parent=tree.inst1)
    assert "新开的站" in client.get("/places/sites/").content.decode()
    assert "新开的站" in _names(client, "/api/v1/places/sites?limit=50", "name")
    Site.objects.filter(pk=site.pk).update(name="改名的站")
    assert "改名的站" in _names(client, "/api/v1/places/sites?limit=50", "name")
    # activities API
    assert "改名之后" in _names(client, "/api/v1/activities/?limit=20", "title")
    Activity.objects.filter(pk=activity.pk).update(title="再改一次")
    assert "再改一次" in _names(client, "/api/v1/activities/?limit=20", "title")
    # open311 (projects)
    before = client.get("/open311/v2/services.json").json()
    ProjectFactory(name="新的服务", site=tree.st1, region=tree.v1)
    after = client.get("/open311/v2/services.json").json()
    assert len(after) == len(before) + 1


def test_rolled_back_write_is_not_served(make_activity):
    make_activity(title="留下的")
    client = Client()
    client.get("/activities/")
    with pytest.raises(RuntimeError), transaction.atomic():
        Activity.objects.update(title="回滚的")
        assert "回滚的" in client.get("/activities/").content.decode()
        raise RuntimeError
    page = client.get("/activities/").content.decode()
    assert "留下的" in page and "回滚的" not in page


def test_signed_in_page_is_never_served_from_nor_stored_in_the_cache(make_activity, resident):
    make_activity(title="公开讲座")
    anonymous = Client()
    anonymous.get("/activities/")
    signed_in = Client()
    signed_in.force_login(resident)
    page, queries = _get(signed_in, "/activities/")
    assert queries > 0  # rendered for this person, not the anonymous copy
    assert "public" not in page.get("Cache-Control", "")
    assert "ETag" not in page
    assert "Cookie" in page["Vary"]
    # The signed-in rendering was not stored: the anonymous copy still has no user menu.
    assert resident.username not in anonymous.get("/activities/").content.decode()
    # A bearer token or an Open311 api_key bypasses the cache too.
    _, queries = _get(Client(), "/api/v1/activities/?limit=20")
    _, again = _get(Client(), "/api/v1/activities/?limit=20", Authorization="Bearer nope")
    assert again > 0


def _state(response):
    """The public read state of the answer's request (None: personal, or never reached a
    ``public_read`` view — the sites API answers a bad token 401 before its view)."""
    return getattr(response.wsgi_request, "_xf_public_read", None)


@pytest.mark.parametrize("url", ["/api/v1/activities/?limit=20", "/api/v1/places/sites?limit=50"])
def test_token_callers_share_the_anonymous_entries_of_public_api_lists(
    url, make_activity, resident, tree
):
    """The public API lists answer the same whoever asks (``any_caller``): a request with a
    valid token is served from the anonymous entry and stores one anonymous readers get —
    byte for byte the same answer — and still sees the next write. A bad token, a session,
    and the public pages (whose menu names a signed-in person) do not share."""
    from xinfeng.accounts.models import ApiToken
    from xinfeng.core import publiccache

    make_activity(title="共享的讲座")
    _t, raw = ApiToken.issue(user=resident, name="app")
    token = {"Authorization": f"Bearer {raw}"}
    publiccache.bump_all()
    stored, _ = _get(Client(), url, **token)  # a token caller's miss is stored…
    assert stored.status_code == 200 and _state(stored).hit is False
    anon, queries = _get(Client(), url)  # …and served to an anonymous reader
    assert _state(anon).hit is True and queries == 0
    assert anon.content == stored.content
    again, queries = _get(Client(), url, **token)  # and back to the token caller
    assert _state(again).hit is True and queries <= 1 and again.content == anon.content
    assert "public" in again["Cache-Control"] and "Authorization" in again["Vary"]
    # A write is seen by the token caller's next read.
    SiteFactory(name="令牌之后的新站", region=tree.v1, parent=tree.inst1)
    Activity.objects.update(title="令牌之后的标题")
    fresh = Client().get(url, headers=token)
    assert _state(fresh).hit is False
    assert "令牌之后" in json.dumps(fresh.json(), ensure_ascii=False)
    # A bad token and a session never share the entries.
    bad = Client().get(url, headers={"Authorization": "Bearer nope"})
    assert _state(bad) is None
    signed_in = Client()
    signed_in.force_login(resident)
    assert _state(signed_in.get(url)) is None
    # A page with a token is personal (the menu), so it does not share.
    page = Client().get("/activities/", headers=token)
    assert _state(page) is None


def test_etag_and_last_modified_give_304(make_activity):
    make_activity()
    client = Client()
    first = client.get("/api/v1/places/sites?limit=50")
    assert "public" in first["Cache-Control"] and "max-age=15" in first["Cache-Control"]
    again = client.get("/api/v1/places/sites?limit=50", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get(
        "/api/v1/places/sites?limit=50", headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert since.status_code == 304
    stale = client.get("/api/v1/places/sites?limit=50", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_cached_page_carries_each_visitors_own_csrf_token(make_activity):
    make_activity()
    one = Client(enforce_csrf_checks=True)
    one.get("/activities/")  # stored
    two = Client(enforce_csrf_checks=True)
    page = two.get("/activities/")
    body = page.content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', body))
    tokens |= set(re.findall(r'"X-CSRFToken": "([A-Za-z0-9]+)"', body))
    assert tokens and "\x00" not in body
    assert "private" in page["Cache-Control"]  # a page with a token is not for shared caches
    token = tokens.pop()
    switched = two.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_X_CSRFTOKEN=token)
    assert switched.status_code == 302
    form = two.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert form.status_code == 302
    # and the language is part of the key: the English list is not the Chinese one
    assert two.get("/activities/").content != page.content


def test_htmx_and_query_are_part_of_the_key(make_activity):
    make_activity(category="theory", title="理论讲座")
    client = Client()
    full = client.get("/activities/").content
    rows = client.get("/activities/", headers={"HX-Request": "true"}).content
    assert full != rows
    other = client.get("/activities/?category=health").content.decode()
    assert "理论讲座" not in other
    assert "理论讲座" in client.get("/activities/?category=theory").content.decode()


def test_news_feed_calendar_and_ics_see_the_next_write(make_activity, tree, owner):
    from xinfeng.activities.services.news import news_create

    activity = make_activity(title="日历上的活动")
    client = Client()
    urls = ["/activities/news/", "/activities/news/feed/", "/activities/calendar/"]
    for url in urls:
        assert client.get(url).status_code == 200
    ics = client.get("/activities/calendar.ics").content.decode()
    assert "日历上的活动" in ics
    news = news_create(actor=owner, site=tree.st1, kind="news", title="新的新闻", body="正文")
    assert "新的新闻" in client.get("/activities/news/").content.decode()
    assert "新的新闻" in client.get("/activities/news/feed/").content.decode()
    assert "新的新闻" in client.get(f"/activities/news/{news.pk}/").content.decode()
    Activity.objects.filter(pk=activity.pk).update(title="改期的活动")
    assert "改期的活动" in client.get("/activities/calendar/").content.decode()
    assert "改期的活动" in client.get("/activities/calendar.ics").content.decode()
    # the host is part of the key: absolute links never point to another host
    with override_settings(ALLOWED_HOSTS=["testserver", "example.org"]):
        other = client.get("/activities/calendar.ics", HTTP_HOST="example.org").content.decode()
    assert "example.org" in other and "testserver" not in other
