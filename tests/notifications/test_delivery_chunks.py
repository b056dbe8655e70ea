"""Local channels (the logging SMS and WeChat backends) write a chunk of copies and their
delivery records in one transaction; every copy is still sent and recorded exactly once,
the unreachable ones are recorded as skipped, and a re-run of the same job sends nothing."""

import pytest
from django.core.management import call_command

from xinfeng.accounts.models import DevSms
from xinfeng.notifications.models import Delivery, Notification
from xinfeng.notifications.services import notify
from xinfeng.notifications.tasks import deliver_notifications

from ..factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_local_copies_are_sent_and_recorded_once_each(caplog):
    people = [UserFactory(phone=f"1390000{i:04d}") for i in range(7)]
    unreachable = UserFactory(phone=None)
    notify(recipients=[*people, unreachable], title="应急召集", channels=("sms", "wechat"))
    with caplog.at_level("INFO", logger="xinfeng.notifications"):
        call_command("worker", "--once")
    rows = Delivery.objects.values_list("notification__recipient_id", "channel", "status")
    assert sorted(rows) == sorted(
        [(u.pk, "sms", "logged") for u in people]
        + [(unreachable.pk, "sms", "skipped")]
        + [(u.pk, "wechat", "logged") for u in [*people, unreachable]]
    )
    assert sorted(DevSms.objects.values_list("phone", flat=True)) == sorted(u.phone for u in people)
    assert caplog.text.count("SMS to ") == 7
    assert "139****0006" in caplog.text  # masked, as one at a time

    # The same job again (a worker restarted after a crash): nothing is sent twice.
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert deliver_notifications.call(ids, ["sms", "wechat"]) == 0
    assert Delivery.objects.count() == 16 and DevSms.objects.count() == 7
