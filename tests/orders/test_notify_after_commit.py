"""Order notifications go out after the change commits, never for a rolled-back one: the
real services inside a transaction that fails, then the same move committed, with the real
worker delivering the outside channels."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from xinfeng.notifications.models import Delivery, Notification
from xinfeng.orders import services
from xinfeng.orders.choices import OrderState
from xinfeng.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    """Raised inside a service's transaction to roll it back."""


def test_a_rolled_back_rejection_notifies_nobody(world, build):
    world.resident.email = "resident@example.com"
    world.resident.save()
    order = build(OrderState.SUBMITTED)
    orders_notes = Notification.objects.filter(kind__startswith="order_")
    with pytest.raises(Boom), transaction.atomic():
        services.order_reject(actor=world.operator, order=order, reason="不属于志愿服务范围")
        assert Order.objects.get(pk=order.pk).state == OrderState.REJECTED  # inside: done
        assert not Notification.objects.exists() and mail.outbox == []  # nothing sent yet
        raise Boom  # …and then the surrounding change fails
    call_command("worker", "--once")
    assert Order.objects.get(pk=order.pk).state == OrderState.SUBMITTED
    assert not OrderEvent.objects.filter(order=order).exists()
    # (The worker's own periodic jobs may notify staff of other things, e.g. governance gaps.)
    assert not orders_notes.exists()
    assert not Delivery.objects.filter(notification__in=orders_notes).exists()
    assert mail.outbox == []

    # The same move, committed: the resident's inbox and email get it, once.
    services.order_reject(actor=world.operator, order=order, reason="不属于志愿服务范围")
    note = orders_notes.get()
    assert note.recipient == world.resident and note.kind == "order_rejected"
    call_command("worker", "--once")
    assert [m.to for m in mail.outbox] == [["resident@example.com"]]
    assert Delivery.objects.filter(channel="email", status="sent").count() == 1


def test_a_grab_that_loses_on_capacity_notifies_nobody(world, build):
    """The service itself fails half-way (the team is full after the order was locked):
    its transaction rolls back and no acceptance notice reaches anyone."""
    world.team_a.capacity = 1
    world.team_a.save()
    build(OrderState.ACCEPTED)  # team A's one slot is taken
    order = build(OrderState.PENDING_DISPATCH, is_open=True)
    with pytest.raises(Exception) as exc:
        services.order_grab(actor=world.leader_a.user, order=order, team=world.team_a)
    assert getattr(exc.value, "code", "") == "team_full"
    call_command("worker", "--once")
    order.refresh_from_db()
    assert order.state == OrderState.PENDING_DISPATCH and order.team is None
    assert not Notification.objects.filter(kind="order_accepted").exists()
