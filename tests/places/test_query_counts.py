"""Query counts of every places list, API and page, pinned: they must not grow with the
number of rows (no N+1), and stay at the number written here."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import SiteFactory, UserFactory, VenueFactory
from xinfeng.core import publiccache


def count_queries(client, url, params=None) -> int:
    # Warm the per-person caches of the page shell (menu, banner) so the count is the
    # page's own, the same on every request.
    client.get(url, params or {})
    # The count is that of a miss of the public read cache (a cached answer costs none).
    publiccache.bump_all()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def grow(tree, n: int) -> None:
    """Add ``n`` stations with a venue and an operator each, under 水口村's institute."""
    for i in range(n):
        site = SiteFactory(region=tree.v1, parent=tree.inst1, name=f"加站{i}")
        VenueFactory(site=site)
        site.operators.add(UserFactory())


@pytest.fixture
def owner_session(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.mark.parametrize(
    "url,params,expected",
    [
        ("/api/v1/places/sites", {"limit": 200}, 1),
        ("/api/v1/places/sites", {"limit": 200, "region_id": "REGION"}, 2),
        ("/api/v1/places/regions", {"limit": 200}, 1),
        ("/api/v1/places/venues", {"limit": 200}, 1),
        # count, rows, the region cascade: parentless regions and the lone city's children
        ("/places/sites/", {}, 4),
        # + the posted id; the cascade's lists are one parent_id IN (chain) query
        ("/places/sites/", {"region": "REGION"}, 5),
    ],
)
def test_public_lists_have_constant_queries(client, tree, url, params, expected):
    params = {k: (tree.t1.id if v == "REGION" else v) for k, v in params.items()}
    grow(tree, 3)
    small = count_queries(client, url, params)
    grow(tree, 12)
    large = count_queries(client, url, params)
    assert small == large == expected
    if url in ("/api/v1/places/sites", "/places/sites/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        assert len(ctx.captured_queries) == 0  # served from the public read cache


def test_managed_site_list_api_has_constant_queries(api_as, owner, tree):
    client = api_as(owner)
    client.get("/api/v1/accounts/me")  # the token's first use records last_used_at once
    grow(tree, 3)
    small = count_queries(client, "/api/v1/places/manage/sites", {"limit": 200})
    grow(tree, 12)
    large = count_queries(client, "/api/v1/places/manage/sites", {"limit": 200})
    # sites (with venue counts), operators (one prefetch); who the token stands for and
    # their roles come from the token cache once warm (accounts.middleware)
    assert small == large == 2


def test_manage_page_has_constant_queries(owner_session, tree):
    grow(tree, 3)
    small = count_queries(owner_session, "/places/manage/")
    grow(tree, 12)
    large = count_queries(owner_session, "/places/manage/")
    assert small == large
    assert large <= 8
