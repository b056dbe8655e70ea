"""The list pages and endpoints read a fixed number of queries however many sites,
handovers and groups there are (people are annotated, not fetched per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SiteFactory, UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.places.choices import SiteLevel

from .factories import group, handover, staff, term

pytestmark = pytest.mark.django_db

URLS = ("/governance/", "/governance/handovers/", "/governance/groups/")
API = ("/api/v1/governance/sites", "/api/v1/governance/handovers", "/api/v1/governance/groups")


def _count(client, url) -> int:
    client.get(url)  # warm the shell's per-person caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more(tree, n):
    for i in range(n):
        site = SiteFactory(
            name=f"新站{i}", level=SiteLevel.STATION, region=tree.v1, parent=tree.inst1
        )
        term(site), staff(site)
        handover(site, UserFactory())


def test_list_query_counts_do_not_grow_with_the_rows(client, api_as, tree):
    admin = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    client.force_login(admin)
    api = api_as(admin)
    group(tree.t1)
    _more(tree, 2)
    before = [_count(client, u) for u in URLS] + [_count(api, u) for u in API]
    _more(tree, 12)
    group(tree.t2)
    group(tree.v1)
    after = [_count(client, u) for u in URLS] + [_count(api, u) for u in API]
    assert after == before
    assert max(before) <= 10
