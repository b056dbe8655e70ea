"""When the database cannot give a cached list's live counters (``publiccache.Live``) — here
another connection holds the activities table and this one gives up on the lock — the
activity list and the public API list answer with the counters as stored instead of an
error, and fill them again at the next read once the database answers (PostgreSQL: a real
lock and a real ``lock_timeout``)."""

import re

import psycopg
import pytest
from django.db import connection
from django.test import Client

from xinfeng.activities import services

pytestmark = pytest.mark.django_db(transaction=True)

_CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]+')
READS = ["/activities/", "/api/v1/activities/?limit=20"]


def _body(response) -> bytes:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return _CSRF.sub(rb"\1-", response.content)


def _holder():
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname=s["NAME"],
    )


def test_a_list_whose_counters_cannot_be_read_serves_them_as_stored(
    postgres_only, make_activity, people
):
    activity = make_activity(title="甲活动", capacity=5)
    client = Client()
    before = {url: _body(client.get(url)) for url in READS}  # stored, 5 places left
    services.signup_create(actor=people(1)[0], activity=activity)  # the counters moved

    with _holder() as holder:
        holder.execute("LOCK TABLE activities_activity IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        try:
            during = {url: _body(client.get(url)) for url in READS}
        finally:
            holder.rollback()
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    assert during == before  # the stored counts, not an error

    after = {url: _body(client.get(url)) for url in READS}
    for url in READS:
        assert after[url] != before[url], url  # filled again once the database answers
    # ... with what a render from scratch gives now
    from django.core.cache import cache

    cache.clear()
    assert after == {url: _body(Client().get(url)) for url in READS}
