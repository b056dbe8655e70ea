"""A volunteer's points ledger reads newest first by date, on the page and in the API, even
when a line for an earlier service was written after a later one."""

import re

from django.test import Client

from tests.factories import UserFactory, VolunteerFactory
from tests.volunteers.factories import credit
from xinfeng.volunteers.models import PointsEntry


def _ledger(tree):
    v = VolunteerFactory(home_region=tree.v1, name="账本人", user=UserFactory())
    # Written in this order, dated 3, 30 and 10 days ago (the 30-day one recorded late).
    for days, text in ((3, "最近的服务"), (30, "补录的服务"), (10, "上周的服务")):
        rec = credit(v, tree.v1, hours=2, days_ago=days, description=text)
        PointsEntry.objects.filter(service_record=rec).update(created_at=rec.ended_at)
    return v


def test_points_page_lists_lines_by_date(tree):
    v = _ledger(tree)
    c = Client()
    c.force_login(v.user)
    html = c.get("/volunteers/me/points/").content.decode()
    order = re.findall(r"最近的服务|补录的服务|上周的服务", html)
    assert order == ["最近的服务", "上周的服务", "补录的服务"]


def test_points_api_pages_by_date(tree):
    v = _ledger(tree)
    c = Client()
    c.force_login(v.user)
    first = c.get("/api/v1/volunteers/me/points?limit=2").json()
    rest = c.get(f"/api/v1/volunteers/me/points?limit=2&cursor={first['next_cursor']}").json()
    dates = [e["created_at"] for e in first["items"] + rest["items"]]
    assert len(dates) == 3
    assert dates == sorted(dates, reverse=True)
