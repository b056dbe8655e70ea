"""The public reads of bench/bench_reads.py render a cache miss with a fixed number of
queries, whatever the number of rows (#18): a regression (an N+1, a lookup per row, the
cascade's regions read again) fails here."""

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ProjectFactory, SiteFactory, VenueFactory
from xinfeng.activities.choices import NewsKind
from xinfeng.orders.choices import OrderState

from ..orders.factories import make_order

_fresh = itertools.count()


def _miss_queries(client, path) -> int:
    """Queries of an anonymous request whose cache key was never seen (a miss)."""
    sep = "&" if "?" in path else "?"
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{path}{sep}_b={next(_fresh)}")
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


# path → queries on a miss: the sites page counts and reads a page of rows (the cascade's
# first select is kept per process); Open311 requests read the first photos in a second
# query; everything else is one query.
EXPECTED = {
    "/places/sites/": 2,
    "/activities/": 1,
    "/activities/{activity}/": 1,
    "/api/v1/places/sites?limit=50": 1,
    "/api/v1/activities/?limit=20": 1,
    "/open311/v2/services.json": 1,
    "/open311/v2/requests.json": 2,
}


def _grow(tree, make_activity, n: int, start: int):
    for i in range(start, start + n):
        site = SiteFactory(name=f"站{i}", region=tree.v1, parent=tree.inst1)
        make_activity(title=f"活动{i}", site=site)
        project = ProjectFactory(site=site, name=f"项目{i}")
        make_order(project=project, region=tree.v1, site=site, state=OrderState.PENDING_DISPATCH)


@pytest.mark.parametrize("path", list(EXPECTED))
def test_a_miss_runs_a_fixed_number_of_queries(path, tree, make_activity):
    _grow(tree, make_activity, 2, 0)
    activity = make_activity(title="详情")
    url = path.format(activity=activity.pk)
    client = Client()
    client.get(url)  # first use in this process: the cascade's first select is read
    small = _miss_queries(client, url)
    _grow(tree, make_activity, 8, 2)
    client.get(url)
    large = _miss_queries(client, url)
    assert small == large == EXPECTED[path], (small, large)


def test_site_pages_follow_the_apps_that_fill_their_slots(db):
    """The directory shows workplans' 示范点 badge and the site page governance's responsible
    person: a write to any of those apps' tables (even one without signals) starts a new
    version of the pages' topics."""
    from django.apps import apps

    from xinfeng.core import publiccache
    from xinfeng.places import views

    assert "workplans" in views.site_directory.public_read_topics
    assert {"governance", "workplans"} <= set(views.site_detail.public_read_topics)
    for label in ("governance", "workplans"):
        table = next(iter(apps.get_app_config(label).get_models()))._meta.db_table
        before = publiccache.versions([label])
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{table}" SET id = id WHERE 1 = 0')  # noqa: S608
        assert publiccache.versions([label]) != before, label


def test_the_site_page_shows_no_activity_data(tree, make_activity, people, owner, db):
    """The site page leaves the ``activities`` topic out (sign-ups and check-ins would make
    every site page a miss): that is right only while nothing the activities app stores
    reaches the page. Activities, a sign-up and news at the site, then the page rendered
    afresh must equal the copy cached before them; a slot that starts showing activities
    (or their counts) fails here — then give the page its ``activities`` topic back."""
    from xinfeng.activities.services import news as news_services
    from xinfeng.activities.services.signups import signup_create
    from xinfeng.core import publiccache
    from xinfeng.places import views

    assert "activities" not in views.site_detail.public_read_topics
    site = tree.st1
    VenueFactory(site=site, name="多功能厅")
    path = f"/places/sites/{site.pk}/"
    client = Client()
    before = client.get(path)
    assert before.status_code == 200
    activity = make_activity(title="一个新活动的标题", site=site)
    signup_create(actor=people(1)[0], activity=activity)
    news_services.news_create(
        actor=owner, site=site, kind=NewsKind.NEWS, title="本站新闻标题", body="正文"
    )
    publiccache.bump_all()  # a miss: rendered from the database as it is now
    after = client.get(path)
    assert after.status_code == 200
    assert after.wsgi_request._xf_public_read.hit is False
    text = after.content.decode()
    assert "多功能厅" in text  # the venue, through the activities app's slot
    assert "一个新活动的标题" not in text and "本站新闻标题" not in text

    def page(response) -> bytes:  # the visitor's CSRF token differs from render to render
        body = response.content
        for pattern in publiccache._CSRF:
            body = pattern.sub(publiccache._TOKEN_HOLE, body)
        return body

    assert page(after) == page(before)
