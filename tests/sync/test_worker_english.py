"""The relay as a periodic job of ``manage.py worker --once``; an idle relay polls less and
less often; the staff page in English."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.core import test_i18n as i18n
from tests.factories import VolunteerFactory
from xinfeng.core.periodic import periodic_jobs
from xinfeng.sync.choices import OutboxStatus
from xinfeng.sync.models import OutboxRow
from xinfeng.sync.services.relay import Relay

from .conftest import sync_settings


@pytest.mark.django_db(transaction=True)
def test_worker_once_relays_the_outbox(receiver, tree):
    assert "relay_outbox" in " ".join(j.name for j in periodic_jobs())
    with override_settings(XINFENG_SYNC=sync_settings(provincial_url=receiver.url)):
        v = VolunteerFactory(home_region=tree.v1)
        call_command("worker", "--once")
    assert OutboxRow.objects.get().status == OutboxStatus.SENT
    assert [r["body"]["external_id"] for r in receiver.received] == [v.number]


@pytest.mark.django_db
def test_an_idle_relay_backs_off_polling(receiver):
    with override_settings(XINFENG_SYNC=sync_settings(provincial_url=receiver.url)):
        relay = Relay(worker_id="idle")
        threading.Timer(1.7, relay.stop.set).start()
        with CaptureQueriesContext(connection) as ctx:
            relay.run(forever=True)
    rounds = sum(
        1 for q in ctx.captured_queries if '"sync_targetstate"' in q["sql"] and "SELECT" in q["sql"]
    )
    assert 2 <= rounds <= 5  # 0.2 + 0.4 + 0.8 s waits, not a busy loop


@pytest.mark.django_db
def test_the_staff_page_in_english(tree, sysadmin):
    with override_settings(XINFENG_SYNC=sync_settings(provincial_url="http://127.0.0.1:9")):
        VolunteerFactory(home_region=tree.v1)
        OutboxRow.objects.update(status=OutboxStatus.DEAD, last_error="HTTP 400")
        client = i18n.english_client()
        client.force_login(sysadmin)
        html = client.get("/sync/").content.decode()
    assert "Failed rows" in html and "Retry" in html and "Provincial volunteer platform" in html
    text = i18n.visible_text(html).replace(sysadmin.name or "", "")
    leftovers = set(i18n.HAN.findall(text)) - set("中文新")
    assert not leftovers, "".join(sorted(leftovers))
