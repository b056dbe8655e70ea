"""The demo city: Gongqingcheng with the report's totals, deterministic per seed, and the
pieces `make run` relies on (seed only when empty, print the demo logins)."""

import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client

from xinfeng.accounts.models import User
from xinfeng.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from xinfeng.demo.context import DemoContext
from xinfeng.places.choices import PointKind, SiteLevel
from xinfeng.places.models import Site, Venue
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region


def counts() -> dict:
    return {
        "regions": Region.objects.count(),
        "sites": Site.objects.count(),
        "venues": Venue.objects.count(),
        "users": User.objects.count(),
    }


def test_city_seed_reproduces_the_report_and_make_run_steps_are_idempotent(demo_city):
    # `make run` runs `seed_demo --if-empty`: on an empty database it builds the city (the
    # session's city is built exactly so, see tests/conftest.py)...
    assert "1 center, 56 institutes, 97 stations (60 complexes)" in demo_city.output
    assert "demo city ready in" in demo_city.output
    sites = Site.objects
    assert sites.filter(level=SiteLevel.CENTER).count() == 1
    assert sites.filter(level=SiteLevel.INSTITUTE).count() == 56
    assert sites.filter(level=SiteLevel.STATION).count() == 97
    assert sites.filter(level=SiteLevel.STATION, is_complex=True).count() == 60
    assert sites.filter(level=SiteLevel.POINT).count() > 0
    assert Region.objects.get(code="360482000000").name == "共青城市"
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP).count() == 6
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 69
    assert Region.objects.get(short_name="水口村").code == "360482201200"
    assert Region.objects.get(short_name="江流村").code == "360482200202"
    assert sites.filter(
        level=SiteLevel.POINT, point_kind=PointKind.ANCESTRAL_HALL, region__short_name="水口村"
    ).exists()
    every_station_has_a_parent = not sites.filter(
        level=SiteLevel.STATION, parent__isnull=True
    ).exists()
    assert every_station_has_a_parent
    # ...and run again it changes nothing.
    before = counts()
    again = StringIO()
    call_command("seed_demo", "--if-empty", stdout=again)
    assert "nothing to do" in again.getvalue()
    assert counts() == before
    # `make run` then prints the demo logins, and each one works.
    logins = StringIO()
    call_command("demo_accounts", stdout=logins)
    printed = logins.getvalue()
    assert DEMO_PASSWORD in printed
    client = Client()
    for username, _name, phone, _role, _code, note in DEMO_ACCOUNTS:
        assert username in printed and phone in printed and note in printed
        response = client.post("/accounts/login/", {"identifier": phone, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post("/accounts/logout/")


def test_seed_refuses_a_database_that_has_data(tree):
    with pytest.raises(CommandError, match="already has regions"):
        call_command("seed_demo", stdout=StringIO())


def test_demo_accounts_prints_nothing_without_demo_data(db):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert out.getvalue() == ""


class _Rollback(Exception):
    pass


def _generate(seed: int) -> dict:
    """Run the foundation steps (places, accounts) for ``seed``, describe what they built by
    natural keys (ids differ between runs on PostgreSQL), then roll everything back."""
    result = {}
    try:
        with transaction.atomic():
            ctx = DemoContext(seed=seed, scale="city", out=StringIO())
            for step in ("places", "accounts"):
                importlib.import_module(f"xinfeng.demo.{step}").generate(ctx)
            result["regions"] = list(
                Region.objects.order_by("path").values_list(
                    "code",
                    "name",
                    "short_name",
                    "parent__name",
                    "population",
                    "latitude",
                    "longitude",
                )
            )
            result["sites"] = sorted(
                Site.objects.values_list(
                    "name",
                    "level",
                    "point_kind",
                    "region__name",
                    "parent__name",
                    "is_complex",
                    "latitude",
                    "longitude",
                    "address",
                    "opening_hours",
                    "responsible_name",
                    "facilities",
                    "host_unit",
                ),
                key=repr,
            )
            result["venues"] = sorted(
                Venue.objects.values_list("site__name", "name", "uses", "capacity"), key=repr
            )
            result["users"] = sorted(
                User.objects.values_list("username", "phone", "display_name", "home_region__code")
            )
            raise _Rollback
    except _Rollback:
        pass
    assert not Region.objects.exists()
    return result


def test_same_seed_builds_the_same_city_and_another_seed_a_different_one(db):
    first, second, other = _generate(7), _generate(7), _generate(8)
    assert first == second
    assert len(first["sites"]) > 150
    assert first["regions"] != other["regions"]  # generated village points move
    assert first["sites"] != other["sites"]
