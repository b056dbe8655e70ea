"""``core.inserts.insert``: a new row written with the SQL compiled once is the row
``save()`` / ``bulk_create`` writes — same statement, same stored values, same signals, the
new ids on the instances — and what the cache could get wrong goes the ORM's way."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import signals
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfeng.core import inserts
from xinfeng.notifications.models import Notification
from xinfeng.notifications.texts import to_message
from xinfeng.orders.choices import OrderChannel, OrderState
from xinfeng.orders.models import Order, OrderEvent

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


NOW = timezone.now()


def _order(tree, user, **extra) -> Order:
    now = NOW
    fields = {
        "category": "everyday_help",
        "title": "家里屋顶漏水",
        "description": "白天有人",
        "channel": OrderChannel.RESIDENT,
        "requester": user,
        "created_by": user,
        "contact_name": "张三",
        "contact_phone": "13800000001",
        "idempotency_key": None,
        "region": tree.v1,
        "address": "3组12号",
        "latitude": 29.25,
        "longitude": 115.8,
        "wanted_from": now + timedelta(days=1),
        "wanted_until": None,
        "beneficiary_age": 70,
        "site": tree.st1,
        "state": OrderState.SUBMITTED,
        "submitted_at": now,
        "review_due_at": now + timedelta(hours=4),
        "due_at": now + timedelta(hours=4),
        "dispatch_score": {"total": 1.5, "parts": ["距离"]},
    }
    fields.update(extra)
    return Order(**fields)


def _stored(obj) -> dict:
    row = type(obj).objects.filter(pk=obj.pk).values().get()
    for auto in ("id", "created_at", "updated_at"):
        row.pop(auto, None)
    return row


def _columns(sql: str) -> str:
    return sql.split("VALUES")[0].split("SELECT")[0]


def test_an_order_is_stored_as_save_stores_it(tree):
    user = UserFactory(username="r1")
    by_orm, by_insert = _order(tree, user), _order(tree, user)
    with CaptureQueriesContext(connection) as orm_sql:
        by_orm.save()
    with CaptureQueriesContext(connection) as fast_sql:
        assert inserts.insert([by_insert], signals_sent=True) == [by_insert]
    assert by_insert.pk is not None and by_insert.pk != by_orm.pk
    assert not by_insert._state.adding and by_insert._state.db == "default"
    assert _stored(by_insert) == _stored(by_orm)
    assert by_insert.created_at is not None and by_insert.updated_at is not None
    [orm], [fast] = orm_sql.captured_queries, fast_sql.captured_queries
    assert _columns(fast["sql"]) == _columns(orm["sql"])
    # The statement is kept: the second order reuses it and is stored alike.
    again = inserts.insert([_order(tree, user, title="第二单")], signals_sent=True)[0]
    assert Order.objects.get(pk=again.pk).title == "第二单"


def test_save_signals_are_sent_as_save_sends_them(tree):
    user = UserFactory(username="r1")
    seen = []

    def pre(sender, instance, raw, using, update_fields, **kw):
        seen.append(("pre", sender, instance.pk, raw, using, update_fields))

    def post(sender, instance, created, raw, using, update_fields, **kw):
        seen.append(("post", sender, instance.pk, created, raw, using, update_fields))

    signals.pre_save.connect(pre, sender=Order)
    signals.post_save.connect(post, sender=Order)
    try:
        order = inserts.insert([_order(tree, user)], signals_sent=True)[0]
        inserts.insert([_order(tree, user)])  # bulk_create's way: no signals
    finally:
        signals.pre_save.disconnect(pre, sender=Order)
        signals.post_save.disconnect(post, sender=Order)
    assert seen == [
        ("pre", Order, None, False, "default", None),
        ("post", Order, order.pk, True, False, "default", None),
    ]


def test_several_rows_get_their_own_ids(tree):
    users = [UserFactory(username=f"op{i}") for i in range(3)]
    title, title_msg = to_message("新订单")
    rows = [
        Notification(recipient=u, title=title, title_msg=title_msg, link="/orders/1/", kind="k")
        for u in users
    ]
    with CaptureQueriesContext(connection) as ctx:
        inserts.insert(rows)
    assert len(ctx.captured_queries) == 1
    stored = dict(Notification.objects.filter(kind="k").values_list("pk", "recipient_id"))
    assert stored == {n.pk: u.pk for n, u in zip(rows, users, strict=True)}
    assert all(n.created_at is not None for n in rows)


def test_an_event_row_keeps_its_json_and_foreign_keys(tree):
    user = UserFactory(username="r1")
    order = inserts.insert([_order(tree, user)], signals_sent=True)[0]
    detail = {"channel": "resident", "nested": {"a": [1, 2]}, "text": "中文"}
    event = OrderEvent(
        order=order,
        action="submit",
        from_state="submitted",
        to_state="submitted",
        actor=user,
        site_id=tree.st1.pk,
        detail=detail,
        at=timezone.now(),
    )
    inserts.insert([event], signals_sent=True)
    stored = OrderEvent.objects.get(pk=event.pk)
    assert (stored.order_id, stored.actor_id, stored.site_id, stored.team_id) == (
        order.pk,
        user.pk,
        tree.st1.pk,
        None,
    )
    assert stored.detail == detail


def test_an_expression_or_a_set_key_goes_the_orms_way(tree):
    user = UserFactory(username="r1")
    order = inserts.insert([_order(tree, user, submitted_at=Now())], signals_sent=True)[0]
    assert Order.objects.get(pk=order.pk).submitted_at is not None
    many = [Notification(recipient=user, title=f"n{i}", kind="many") for i in range(40)]
    inserts.insert(many)  # more than MAX_ROWS: bulk_create's batches
    assert Notification.objects.filter(kind="many").count() == 40
    assert all(n.pk for n in many)


def test_a_unique_violation_raises_and_leaves_nothing(tree):
    user = UserFactory(username="r1")
    inserts.insert([_order(tree, user, idempotency_key="k1")], signals_sent=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        inserts.insert([_order(tree, user, idempotency_key="k1")], signals_sent=True)
    assert Order.objects.filter(idempotency_key="k1").count() == 1
