"""Fixtures for activity tests: a published activity at 水口村实践站 run by its institute's
admin (``owner``), and helpers to make people and volunteers."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory, VenueFactory
from xinfeng.activities import services
from xinfeng.activities.models import Activity
from xinfeng.volunteers.models import Volunteer


def soon(hours: float = 48) -> "timezone.datetime":
    """A local time ``hours`` from now, at a whole hour from 09:00 to 16:00, so a test may
    move it or end it up to 5 hours later and stay in the venues' opening hours (08–21)
    whatever the time of day the suite runs (a start at 18:00 moved by 3 hours failed)."""
    t = timezone.localtime() + timedelta(hours=hours)
    t = t.replace(minute=0, second=0, microsecond=0)
    if t.hour < 9:
        t = t.replace(hour=9)
    if t.hour > 16:
        t = (t + timedelta(days=1)).replace(hour=9)
    return t


@pytest.fixture
def venue(tree):
    return VenueFactory(
        site=tree.st1, name="多功能厅", capacity=100, opens_at=time(8), closes_at=time(21)
    )


@pytest.fixture
def make_activity(tree, owner):
    def _make(publish=True, **kw) -> Activity:
        start = kw.pop("starts_at", soon())
        fields = {
            "site": kw.pop("site", tree.st1),
            "title": kw.pop("title", "防诈骗知识讲座"),
            "category": kw.pop("category", "theory"),
            "starts_at": start,
            "ends_at": kw.pop("ends_at", start + timedelta(hours=2)),
            "capacity": kw.pop("capacity", 30),
        }
        actor = kw.pop("actor", owner)
        activity = services.activity_create(actor=actor, **fields, **kw)
        if publish:
            activity = services.activity_publish(actor=actor, activity=activity)
        return activity

    return _make


@pytest.fixture
def people(tree):
    """``people(n)`` → n residents of 水口村."""

    def _make(n: int, prefix: str = "p"):
        return [UserFactory(username=f"{prefix}{i}", home_region=tree.v1) for i in range(n)]

    return _make


@pytest.fixture
def make_volunteer(tree):
    counter = {"n": 0}

    def _make(user, **kw) -> Volunteer:
        counter["n"] += 1
        return Volunteer.objects.create(
            user=user,
            number=kw.pop("number", f"T{counter['n']:08d}"),
            name=kw.pop("name", user.display_name or user.username),
            home_region=kw.pop("home_region", tree.v1),
            **kw,
        )

    return _make


def start_now(activity: Activity, *, minutes_ago: int = 10, hours: float = 2) -> Activity:
    """Move a published activity so it started ``minutes_ago`` (tests arrange time in the
    database; services always use the real clock)."""
    start = timezone.now() - timedelta(minutes=minutes_ago)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=hours)
    )
    activity.refresh_from_db()
    return activity


class slow_inserts:
    """PostgreSQL only: make every INSERT into ``table`` sleep, widening the window between
    a service's check and its commit so a missing lock shows up as a double booking."""

    def __init__(self, table: str, seconds: float = 0.3):
        self.table, self.seconds = table, seconds

    def __enter__(self):
        from django.db import connection

        with connection.cursor() as c:
            c.execute(
                "CREATE OR REPLACE FUNCTION xf_test_slow() RETURNS trigger AS $$ "
                f"BEGIN PERFORM pg_sleep({float(self.seconds)}); RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
            c.execute(
                f"CREATE TRIGGER xf_test_slow BEFORE INSERT ON {self.table} "
                "FOR EACH ROW EXECUTE FUNCTION xf_test_slow()"
            )
        return self

    def __exit__(self, *exc):
        from django.db import connection

        with connection.cursor() as c:
            c.execute(f"DROP TRIGGER IF EXISTS xf_test_slow ON {self.table}")
            c.execute("DROP FUNCTION IF EXISTS xf_test_slow()")
