"""Ordering reads where an order goes (region → responsible site → who answers for it)
from a cache (services/routing.py). These tests prove the cached answers are the queried
ones, that a committed change of the responsible site or its staff is seen by the next
order (also when another process read the old state just before the commit), that the
new order's notice still reaches the site's staff, and that a warm creation reads none
of it from the database."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment
from xinfeng.notifications.models import Notification
from xinfeng.orders.models import Order
from xinfeng.orders.services import routing
from xinfeng.orders.services._common import deepest_site_for
from xinfeng.places.choices import SiteLevel

from ..factories import SiteFactory, UserFactory, grant


def _order(client, region, **extra) -> dict:
    body = {"title": "家里屋顶漏水", "region_id": region.pk, "address": "3组12号", **extra}
    resp = client.post("/api/v1/orders/", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def _submitted_to(user) -> int:
    return Notification.objects.filter(recipient=user, kind="order_submitted").count()


@pytest.mark.django_db
def test_the_cached_site_is_the_queried_one_for_every_region_and_time(tree):
    tree.st2.active_until = timezone.now() + timedelta(days=3)
    tree.st2.save()
    soon = SiteFactory(
        name="江益村新站",
        level=SiteLevel.STATION,
        region=tree.v2,
        parent=tree.inst2,
        active_from=timezone.now() + timedelta(days=1),
    )
    now = timezone.now()
    for region in (tree.city, tree.t1, tree.t2, tree.v1, tree.v2):
        assert routing.responsible_site(region, now) == deepest_site_for(region), region
    # Cached with their dates: the same entry answers as time goes by.
    assert routing.responsible_site(tree.v2, now) == tree.st2
    assert routing.responsible_site(tree.v2, now + timedelta(days=4)) == soon
    soon.delete()
    assert routing.responsible_site(tree.v2, now + timedelta(days=4)) == tree.inst2
    assert routing.region(tree.v1.pk) == tree.v1 and routing.region(10**9) is None


@pytest.mark.django_db(transaction=True)
def test_a_closed_station_and_a_new_operator_are_seen_by_the_next_order(tree, resident, api_as):
    client = api_as(resident)
    operator = grant(UserFactory(username="op1"), Role.STATION_OPERATOR, tree.v1)
    tree.st1.operators.add(operator)
    first = _order(client, tree.v1)
    assert first["site_id"] == tree.st1.pk and _submitted_to(operator) == 1

    # Another operator joins the station; the first leaves the platform.
    newcomer = UserFactory(username="op2")
    tree.st1.operators.add(newcomer)
    operator.is_active = False
    operator.save()
    _order(client, tree.v1)
    assert _submitted_to(newcomer) == 1 and _submitted_to(operator) == 1

    # The station closes: the township's institute answers the next order.
    tree.st1.active_until = timezone.now() - timedelta(seconds=1)
    tree.st1.save()
    assert _order(client, tree.v1)["site_id"] == tree.inst1.pk
    tree.st1.active_until = None
    tree.st1.save()
    assert _order(client, tree.v1)["site_id"] == tree.st1.pk
    assert _submitted_to(newcomer) == 2  # the institute's order was not the station's


@pytest.mark.django_db(transaction=True)
def test_a_role_taken_away_stops_the_notices(tree, resident, api_as):
    client = api_as(resident)
    staff = grant(UserFactory(username="village_staff"), Role.STATION_OPERATOR, tree.v1)
    _order(client, tree.v1)
    assert _submitted_to(staff) == 1
    RoleAssignment.objects.get(user=staff).delete()
    _order(client, tree.v1)
    assert _submitted_to(staff) == 1


@pytest.mark.django_db(transaction=True)
def test_a_change_read_by_another_process_before_its_commit_is_seen_after_it(
    tree, resident, api_as, postgres_only
):
    """Another process asks for the routing while the change is not yet committed: it reads
    (and caches) the old station. The version bumped on commit makes the next order see
    the change anyway."""
    client = api_as(resident)
    assert _order(client, tree.v1)["site_id"] == tree.st1.pk  # cached
    seen = []

    def other_process():
        try:
            seen.append(routing.responsible_site(routing.region(tree.v1.pk), timezone.now()))
        finally:
            connection.close()

    with transaction.atomic():
        tree.st1.active_until = timezone.now() - timedelta(seconds=1)
        tree.st1.save()
        reader = threading.Thread(target=other_process)
        reader.start()
        reader.join(30)
        assert seen == [tree.st1]  # it read the committed (old) state and cached it
    assert _order(client, tree.v1)["site_id"] == tree.inst1.pk


@pytest.mark.django_db(transaction=True)
def test_a_warm_creation_reads_no_region_site_or_staff(tree, resident, api_as):
    client = api_as(resident)
    grant(UserFactory(username="op1"), Role.STATION_OPERATOR, tree.v1)
    _order(client, tree.v1)  # fills the cache
    with CaptureQueriesContext(connection) as ctx:
        _order(client, tree.v1)
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    for table in ("places_region", "places_site", "accounts_roleassignment", "accounts_user"):
        assert not [sql for sql in reads if f'FROM "{table}"' in sql], table
    assert Order.objects.count() == 2
    assert Notification.objects.filter(kind="order_submitted").count() == 2


@pytest.mark.django_db
def test_a_new_orders_moves_are_the_ones_its_page_shows(tree, resident, api_as):
    """The creation answer computes the actor's kinds from the cache; reading the order
    back computes them from the roles: both offer the same moves, to a resident and to a
    station operator ordering for themself (requester and site staff at once)."""
    operator = grant(UserFactory(username="op1"), Role.STATION_OPERATOR, tree.v1)
    for user in (resident, operator):
        client = api_as(user)
        created = _order(client, tree.v1)
        read = client.get(f"/api/v1/orders/{created['id']}").json()
        assert created["allowed_actions"] == read["allowed_actions"], user
    assert "approve" in created["allowed_actions"]
