"""List pages and endpoints run a constant number of queries, however many rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.volunteers.factories import RewardFactory, TeamFactory, VolunteerFactory, credit, member


def count(client, url) -> int:
    client.get(url)  # warm the page shell's per-person caches (menu, banner)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.content[:300]
    return len(ctx.captured_queries)


def grow(tree, n):
    for _ in range(n):
        v = VolunteerFactory(home_region=tree.v1, user=UserFactory())
        team = TeamFactory(home_site=tree.st1)
        member(team, v)
        credit(v, tree.v1, hours=1)
        RewardFactory(site=tree.st1)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/volunteers/",
        "/api/v1/volunteers/teams",
        "/api/v1/volunteers/records",
        "/api/v1/volunteers/rewards",
        "/volunteers/manage/",
        "/volunteers/manage/records/",
        "/volunteers/teams/",
        "/volunteers/exchange/",
    ],
)
def test_list_query_count_is_constant(tree, owner, url):
    client = Client()
    client.force_login(owner)
    grow(tree, 2)
    small = count(client, url)
    grow(tree, 8)
    assert count(client, url) == small
