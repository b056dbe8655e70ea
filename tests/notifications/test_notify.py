"""Notifications are sent after commit, never for a rolled-back change; outside channels
are delivered by the worker (email through Django's mail, SMS/WeChat to the log)."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from xinfeng.notifications.models import Delivery, Notification
from xinfeng.notifications.services import notify

from ..factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_for_a_rolled_back_change():
    user = UserFactory(email="a@example.com", phone="13900000000")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[user], title="不该收到", channels=("email", "sms"))
        raise RuntimeError("the change fails")
    call_command("worker", "--once")
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_committed_change_reaches_inbox_and_channels(caplog):
    user = UserFactory(email="a@example.com", phone="13900000000")
    with transaction.atomic():
        notify(
            recipients=[user, user],
            title="已派单",
            body="请接单",
            link="/orders/1/",
            channels=("email", "sms", "wechat"),
        )
        assert not Notification.objects.exists()  # not before commit
    n = Notification.objects.get()
    assert (n.recipient, n.title, n.link) == (user, "已派单", "/orders/1/")
    with caplog.at_level("INFO", logger="xinfeng.notifications"):
        call_command("worker", "--once")
    assert [m.subject for m in mail.outbox] == ["已派单"] and mail.outbox[0].to == ["a@example.com"]
    statuses = dict(Delivery.objects.values_list("channel", "status"))
    assert statuses == {"email": "sent", "sms": "logged", "wechat": "logged"}
    assert "139****0000" in caplog.text  # SMS logged with the phone masked
    # A second worker round sends nothing twice.
    call_command("worker", "--once")
    assert len(mail.outbox) == 1 and Delivery.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_unreachable_channels_are_recorded_as_skipped():
    user = UserFactory(email="", phone=None)
    notify(recipients=[user], title="x", channels=("email", "sms"))
    call_command("worker", "--once")
    assert set(Delivery.objects.values_list("channel", "status")) == {
        ("email", "skipped"),
        ("sms", "skipped"),
    }
