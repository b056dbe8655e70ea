"""Order creation's lean write path (issue 18): the statements a warm creation over the API
runs are pinned, the station's notice is written in the order's own transaction (one
transaction, no second one after the commit), and no notice is lost or sent for a
creation that rolls back."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from xinfeng.accounts.choices import Role
from xinfeng.notifications.models import Notification
from xinfeng.orders import services
from xinfeng.orders.models import Order, OrderEvent

from ..factories import UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)

CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def _order(client, region) -> dict:
    body = {"title": "家里屋顶漏水", "region_id": region.pk, "address": "3组12号"}
    resp = client.post("/api/v1/orders/", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def _table(sql: str) -> str:
    words = sql.replace('"', "").split()
    if words[:2] == ["INSERT", "INTO"]:
        return words[2]
    if words[:1] == ["SELECT"] and "FROM" in words:
        return "read " + words[words.index("FROM") + 1]
    return sql[:40]


class Boom(Exception):
    """Raised inside an order creation's transaction to roll it back."""


def test_a_warm_creation_is_three_inserts_in_one_transaction(tree, resident, api_as):
    client = api_as(resident)
    staff = [grant(UserFactory(username=f"op{i}"), Role.STATION_OPERATOR, tree.v1) for i in (1, 2)]
    _order(client, tree.v1)  # warms the token and routing caches
    with CaptureQueriesContext(connection) as ctx:
        created = _order(client, tree.v1)
    statements = [q["sql"] for q in ctx.captured_queries]
    work = [s for s in statements if not s.upper().startswith(CONTROL)]
    # No read before the commit: who calls (token), the region, its site and staff are
    # cached. After it, the dashboards' "recompute pending" flag is read: the first order
    # set it (no worker runs here), so it is not written again — no row lock, no second
    # transaction per order.
    assert [_table(s) for s in work] == [
        "orders_order",
        "orders_orderevent",
        "notifications_notification",
        "read insights_rollupstate",
    ]
    # One transaction: the notice no longer commits on its own after the order.
    assert sum(1 for s in statements if s.upper().startswith("COMMIT")) <= 1
    order = Order.objects.get(pk=created["id"])
    notes = Notification.objects.filter(kind="order_submitted", link=f"/orders/{order.pk}/")
    assert sorted(notes.values_list("recipient_id", flat=True)) == sorted(u.pk for u in staff)


def test_every_order_made_in_a_row_has_its_notice(tree, resident, api_as):
    client = api_as(resident)
    op = grant(UserFactory(username="op1"), Role.STATION_OPERATOR, tree.v1)
    ids = [_order(client, tree.v1)["id"] for _ in range(6)]
    links = set(
        Notification.objects.filter(recipient=op, kind="order_submitted").values_list(
            "link", flat=True
        )
    )
    assert links == {f"/orders/{pk}/" for pk in ids}


def test_a_creation_that_rolls_back_leaves_no_order_and_no_notice(tree, resident, postgres_only):
    grant(UserFactory(username="op1"), Role.STATION_OPERATOR, tree.v1)
    seen_outside = []

    def look() -> None:  # another connection, while the creation is not committed
        try:
            seen_outside.append(Notification.objects.filter(kind="order_submitted").count())
        finally:
            connection.close()

    with pytest.raises(Boom), transaction.atomic():
        order, created = services.order_create(
            actor=resident, region=tree.v1, title="家里屋顶漏水", address="3组12号"
        )
        assert created
        assert Notification.objects.filter(link=f"/orders/{order.pk}/").count() == 1  # inside
        t = threading.Thread(target=look)
        t.start()
        t.join(30)
        raise Boom
    assert seen_outside == [0]  # nobody outside sees a notice before the commit
    assert not Order.objects.exists() and not OrderEvent.objects.exists()
    assert not Notification.objects.filter(kind="order_submitted").exists()
