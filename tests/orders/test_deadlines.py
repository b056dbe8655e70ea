"""Deadlines are enforced by the real worker (``manage.py worker --once``) with nobody
online: deadlines are moved into the past in the database (no clock mocking), the worker
runs, and the order is found escalated and the upper site notified — and again after a
restart, by a worker in a new process where the database allows one."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from xinfeng.core.periodic import periodic_jobs
from xinfeng.notifications.models import Notification
from xinfeng.orders.choices import OrderAction, OrderState
from xinfeng.orders.models import FollowUp, Order, OrderEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _overdue(order, step: str, hours: int = 1) -> None:
    past = timezone.now() - timedelta(hours=hours)
    Order.objects.filter(pk=order.pk).update(due_at=past, **{f"{step}_due_at": past})


def _fresh_worker_process() -> None:
    """Run one worker round in a new process against the same database (a restart)."""
    db = connection.settings_dict
    env = dict(os.environ)
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    subprocess.run(
        [sys.executable, "manage.py", "worker", "--once"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )


def _restart_worker() -> str:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "postgresql" or ("memory" not in name and name):
        _fresh_worker_process()
        return "process"
    # An in-memory SQLite test database cannot be opened by another process: forget the
    # periodic schedule as a new process would, and run again in this one.
    for job in periodic_jobs():
        job.last_enqueued = float("-inf")
    call_command("worker", "--once")
    return "in-process"


def test_overdue_review_escalates_to_the_institute_and_notifies_it(world, build):
    order = build(OrderState.SUBMITTED)
    _overdue(order, "review")

    call_command("worker", "--once")

    order.refresh_from_db()
    assert order.site == world.tree.inst1
    assert order.escalation_level == 1
    assert order.due_at > timezone.now()
    e = OrderEvent.objects.get(order=order, action=OrderAction.ESCALATE)
    assert e.actor is None and e.site == world.tree.inst1
    upper_inbox = Notification.objects.filter(recipient=world.upper, kind="order_escalated")
    assert upper_inbox.count() == 1
    assert "超时" in upper_inbox.get().title
    # The station below hears where it went.
    assert Notification.objects.filter(recipient=world.operator, kind="order_escalated").exists()


def test_after_a_restart_the_worker_carries_on_up_the_tree(world, build):
    order = build(OrderState.PENDING_DISPATCH)
    _overdue(order, "dispatch")
    call_command("worker", "--once")
    order.refresh_from_db()
    assert order.site == world.tree.inst1

    # Not yet due again: a second round does nothing.
    call_command("worker", "--once")
    assert OrderEvent.objects.filter(order=order, action=OrderAction.ESCALATE).count() == 1

    # The clock passes the new deadline while the worker is down; a new worker escalates
    # to the center and notifies the center's staff.
    _overdue(order, "dispatch")
    center_admin = _center_admin(world)
    _restart_worker()
    order.refresh_from_db()
    assert order.site == world.tree.center
    assert order.escalation_level == 2
    assert OrderEvent.objects.filter(order=order, action=OrderAction.ESCALATE).count() == 2
    assert Notification.objects.filter(recipient=center_admin, kind="order_escalated").count() == 1


def _center_admin(world):
    from xinfeng.accounts.choices import Role

    from ..factories import UserFactory, grant

    return grant(UserFactory(username="center_admin"), Role.CENTER_ADMIN, world.tree.city)


def test_unaccepted_dispatch_times_out_back_to_the_site(world, build):
    order = build(OrderState.DISPATCHED)
    _overdue(order, "accept")
    call_command("worker", "--once")
    order.refresh_from_db()
    assert order.state == OrderState.PENDING_DISPATCH
    assert order.team is None
    assert order.dispatch_due_at > timezone.now()
    assert OrderEvent.objects.filter(order=order, action=OrderAction.TIMEOUT).count() == 1
    assert Notification.objects.filter(
        recipient=world.operator, kind="order_accept_timeout"
    ).exists()
    assert Notification.objects.filter(
        recipient=world.leader_a.user, kind="order_accept_timeout"
    ).exists()


def test_unrated_order_is_rated_automatically_and_marked_so(world, build):
    order = build(OrderState.COMPLETED)
    _overdue(order, "rate")
    call_command("worker", "--once")
    order.refresh_from_db()
    assert order.state == OrderState.RATED
    assert order.rating_is_auto is True
    assert order.rating.is_auto is True and order.rating.rater is None
    assert order.rating.level == 4
    assert not FollowUp.objects.filter(order=order).exists()
    e = OrderEvent.objects.get(order=order, action=OrderAction.AUTO_RATE)
    assert e.actor is None
    # Marked as automatic wherever the rating shows.
    from django.test import Client

    client = Client()
    client.force_login(world.resident)
    assert "超时未评，系统自动好评" in client.get(f"/orders/{order.pk}/").content.decode()
    data = client.get(f"/api/v1/orders/{order.pk}").json()
    assert data["rating"]["is_auto"] is True and data["rating"]["level"] == 4


def test_orders_not_yet_due_are_left_alone(world, build):
    order = build(OrderState.SUBMITTED, due_at=timezone.now() + timedelta(hours=2))
    call_command("worker", "--once")
    order.refresh_from_db()
    assert order.site == world.tree.st1
    assert not OrderEvent.objects.filter(order=order).exists()


def test_overdue_start_escalates_and_reminds_the_team(world, build):
    order = build(OrderState.ACCEPTED)
    _overdue(order, "start")
    call_command("worker", "--once")
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED and order.team == world.team_a
    assert order.site == world.tree.inst1 and order.escalation_level == 1
    assert order.start_due_at == order.due_at > timezone.now()
    e = OrderEvent.objects.get(order=order, action=OrderAction.ESCALATE)
    assert e.detail["step"] == "start" and "开始服务超时" in e.reason
    assert Notification.objects.filter(recipient=world.upper, kind="order_escalated").exists()
    assert Notification.objects.filter(
        recipient=world.leader_a.user, kind="order_start_overdue"
    ).exists()


def test_at_the_top_of_the_tree_the_center_is_reminded_again(world, build):
    center_admin = _center_admin(world)
    order = build(OrderState.PENDING_DISPATCH, site=world.tree.center)
    _overdue(order, "dispatch")
    call_command("worker", "--once")
    order.refresh_from_db()
    assert order.site == world.tree.center and order.escalation_level == 0
    assert order.overdue_count == 1 and order.due_at > timezone.now()
    assert Notification.objects.filter(recipient=center_admin, kind="order_escalated").count() == 1


def test_orders_in_service_or_finished_have_no_deadline(world, build):
    past = timezone.now() - timedelta(days=1)
    orders = [
        build(state, due_at=past)
        for state in (OrderState.IN_SERVICE, OrderState.RATED, OrderState.CANCELLED)
    ]
    call_command("worker", "--once")
    for order in orders:
        before = order.state
        order.refresh_from_db()
        assert order.state == before and order.site == world.tree.st1
    assert not OrderEvent.objects.exists()
