"""Sign-ups, check-ins and online views (the ``taking_part`` writes, ``activities/live.py``)
keep the cached activity pages and lists: an activity's page depends on its own counters
only, and the lists' counters are filled in at serve time. Whatever the write, every
public read must give exactly what a fresh render gives, and the pages a write does not
concern must stay cached."""

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xinfeng.activities import services
from xinfeng.activities.models import Activity, Signup

from .conftest import start_now

_CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]+')


def _body(response) -> bytes:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return _CSRF.sub(rb"\1-", response.content)


def _queries(client, url, **headers) -> tuple[bytes, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    return _body(response), len(ctx.captured_queries)


@pytest.fixture
def scene(make_activity, people, make_volunteer, owner):
    """Two upcoming activities (``a`` with 2 places, ``b``), one under way and online
    (``c``), three residents, and the public reads that show them."""
    a = make_activity(title="甲活动", capacity=2)
    b = make_activity(title="乙活动", capacity=5)
    c = start_now(
        make_activity(
            title="丙活动", capacity=9, mode="both", stream_url="https://live.example.cn/c"
        )
    )
    residents = people(3)
    reads = [
        ("/activities/", {}),
        ("/activities/", {"HX-Request": "true"}),
        ("/activities/", {"Accept-Language": "en"}),
        (f"/activities/{a.pk}/", {}),
        (f"/activities/{a.pk}/", {"Accept-Language": "en"}),
        (f"/activities/{b.pk}/", {}),
        (f"/activities/{c.pk}/", {}),
        ("/api/v1/activities/?limit=20", {}),
        ("/api/v1/activities/?limit=2", {}),
        ("/activities/calendar/", {}),
        ("/activities/news/", {}),
    ]
    return {"a": a, "b": b, "c": c, "people": residents, "reads": reads, "owner": owner}


def _cached_equals_fresh(client, reads) -> dict:
    """Each read as served now (from the cache where it is), then rendered afresh with the
    cache emptied: they must be equal. Returns the queries each cached read ran."""
    served = {}
    for url, headers in reads:
        served[(url, tuple(headers.items()))] = _queries(client, url, **headers)
    cache.clear()
    for url, headers in reads:
        body, _n = served[(url, tuple(headers.items()))]
        fresh = _body(client.get(url, headers=headers))
        assert body == fresh, (url, headers)
    # warm again, as the next step expects
    for url, headers in reads:
        client.get(url, headers=headers)
    return {k[0] + str(dict(k[1])): n for k, (_b, n) in served.items()}


def test_every_public_read_equals_a_fresh_render_after_each_taking_part_write(scene, owner):
    a, b, c, (p1, p2, p3) = scene["a"], scene["b"], scene["c"], scene["people"]
    client = Client()
    _cached_equals_fresh(client, scene["reads"])

    def cancel(user):
        mine = Signup.objects.get(activity=a, user=user, state__in=["confirmed", "waitlisted"])
        services.signup_cancel(actor=user, signup=mine)

    def rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.signup_create(actor=p3, activity=b)
            raise RuntimeError

    steps = [
        lambda: services.signup_create(actor=p1, activity=a),
        lambda: services.signup_create(actor=p2, activity=a),  # full now
        lambda: services.signup_create(actor=p3, activity=a),  # waitlisted
        lambda: cancel(p1),  # p3 promoted
        rolled_back,
        lambda: services.attendance_check_in(
            actor=owner, activity=c, method="organiser", person=p1
        ),
        lambda: services.attendance_check_out(
            actor=owner, activity=c, method="organiser", person=p1
        ),
        lambda: services.online_view_record(activity=c, user=p2),
        # counters written other ways than one row's counter update: all re-rendered
        lambda: Activity.objects.filter(site=a.site).update(signup_count=F("signup_count") + 1),
        lambda: Activity.objects.filter(pk=b.pk).update(signup_count=3, title="乙活动（改）"),
        lambda: Activity.objects.bulk_update(
            [Activity(pk=a.pk, signup_count=0), Activity(pk=c.pk, checkin_count=7)],
            ["signup_count", "checkin_count"],
        ),
    ]
    for step in steps:
        step()
        _cached_equals_fresh(client, scene["reads"])


def test_a_sign_up_re_renders_its_own_page_only_and_fills_the_lists(scene):
    a, b, (p1, _p2, _p3) = scene["a"], scene["b"], scene["people"]
    client = Client()
    for url, headers in scene["reads"]:
        client.get(url, headers=headers)
    services.signup_create(actor=p1, activity=a)

    page_b, n_b = _queries(client, f"/activities/{b.pk}/")
    assert n_b == 0  # untouched: straight from the cache
    page_a, n_a = _queries(client, f"/activities/{a.pk}/")
    assert n_a > 0 and "已报名 1 / 2" in page_a.decode()
    listing, n_list = _queries(client, "/activities/")
    assert n_list == 1, n_list  # the counts of the rows shown, nothing else
    assert "剩余名额 1" in listing.decode()
    english, n_en = _queries(client, "/activities/", **{"Accept-Language": "en"})
    assert n_en == 1 and "剩余名额" not in english.decode()
    api = client.get("/api/v1/activities/?limit=20").json()["items"]
    row = next(i for i in api if i["id"] == a.pk)
    assert (row["signup_count"], row["places_left"]) == (1, 1)
    # filled once: the next read of the same version is a plain hit
    assert _queries(client, "/activities/")[1] == 0
    assert _queries(client, "/api/v1/activities/?limit=20")[1] == 0


def test_a_filled_list_gets_a_new_etag(scene):
    a, (p1, _p2, _p3) = scene["a"], scene["people"]
    client = Client()
    before = client.get("/api/v1/activities/?limit=20")
    assert (
        client.get(
            "/api/v1/activities/?limit=20", headers={"If-None-Match": before["ETag"]}
        ).status_code
        == 304
    )
    services.signup_create(actor=p1, activity=a)
    after = client.get("/api/v1/activities/?limit=20", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    again = client.get("/api/v1/activities/?limit=20", headers={"If-None-Match": after["ETag"]})
    assert again.status_code == 304
