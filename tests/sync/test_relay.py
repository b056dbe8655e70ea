"""The relay against a real HTTP receiver on 127.0.0.1 (tests/sync/receiver.py)."""

import threading
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.factories import VolunteerFactory
from xinfeng.sync.choices import Entity, OutboxStatus
from xinfeng.sync.models import OutboxRow, TargetState
from xinfeng.sync.services.relay import Relay, claim

from .conftest import sync_settings

pytestmark = pytest.mark.django_db


def drain(seconds=10):
    """Relay until everything is sent or dead (waiting out backoff)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        Relay(worker_id="t").run()
        if not OutboxRow.objects.filter(status__in=["waiting", "sending"]).exists():
            return
        TargetState.objects.update(open_until=None)
        time.sleep(0.05)


def test_rows_arrive_once_with_key_and_token(provincial_on, tree):
    rx = provincial_on
    vs = [VolunteerFactory(home_region=tree.v1) for _ in range(3)]
    drain()
    assert OutboxRow.objects.filter(status=OutboxStatus.SENT).count() == 3
    assert rx.duplicates == 0 and len(rx.received) == 3
    first = rx.received[0]
    assert first["path"] == "/v1/volunteers" and first["auth"] == "Bearer prov-secret"
    assert first["body"]["external_id"] == vs[0].number
    row = OutboxRow.objects.get(idempotency_key=first["key"])
    assert row.ack_ref == "R1" and row.adapter_version == "provincial-1"
    assert abs((timezone.now() - row.sent_at).total_seconds()) < 60


def test_target_down_then_back_everything_arrives_once(provincial_on, tree):
    rx = provincial_on
    rx.mode = "down"
    for _ in range(5):
        VolunteerFactory(home_region=tree.v1)
    Relay(worker_id="t").run()
    assert OutboxRow.objects.filter(status=OutboxStatus.SENT).count() == 0
    # the failure stopped the batch: one attempt counted, the rest released untouched
    assert sorted(OutboxRow.objects.values_list("attempts", flat=True)) == [0, 0, 0, 0, 1]
    assert "RemoteDisconnected" in OutboxRow.objects.get(attempts=1).last_error
    rx.mode = "500"
    Relay(worker_id="t").run()
    rx.mode = "ok"
    drain()
    assert OutboxRow.objects.filter(status=OutboxStatus.SENT).count() == 5
    assert len(rx.received) == 5 and rx.duplicates == 0


def test_circuit_breaker_leaves_a_failing_target_alone(provincial_on, tree):
    rx = provincial_on
    rx.mode = "500"
    VolunteerFactory(home_region=tree.v1)
    for _ in range(6):
        OutboxRow.objects.update(next_attempt_at=timezone.now())
        Relay(worker_id="t").run()
    state = TargetState.objects.get(target="provincial")
    assert state.consecutive_failures == 3  # threshold 3: then the breaker opened
    assert state.open_until > timezone.now()
    assert rx.requests == 3  # no hammering while open
    rx.mode = "ok"
    TargetState.objects.update(open_until=timezone.now() - timedelta(seconds=1))
    OutboxRow.objects.update(next_attempt_at=timezone.now())
    Relay(worker_id="t").run()  # half-open: one probe, then closed again
    state.refresh_from_db()
    assert state.consecutive_failures == 0 and state.open_until is None
    assert OutboxRow.objects.get().status == OutboxStatus.SENT


def test_dead_letter_after_max_attempts_with_last_error(provincial_on, tree):
    rx = provincial_on
    rx.mode = "429"
    VolunteerFactory(home_region=tree.v1)
    for _ in range(4):  # max_attempts = 4
        OutboxRow.objects.update(next_attempt_at=timezone.now())
        TargetState.objects.update(open_until=None, consecutive_failures=0)
        Relay(worker_id="t").run()
    row = OutboxRow.objects.get()
    assert row.status == OutboxStatus.DEAD and row.attempts == 4
    assert row.last_error.startswith("HTTP 429")


def test_a_rejected_body_is_dead_at_once(provincial_on, tree):
    provincial_on.mode = "400"
    VolunteerFactory(home_region=tree.v1)
    Relay(worker_id="t").run()
    row = OutboxRow.objects.get()
    assert row.status == OutboxStatus.DEAD and row.attempts == 1 and "HTTP 400" in row.last_error


def test_backoff_grows_with_jitter(provincial_on, tree):
    provincial_on.mode = "500"
    VolunteerFactory(home_region=tree.v1)
    with override_settings(
        XINFENG_SYNC=sync_settings(
            provincial_url=provincial_on.url, backoff_base_seconds=100, backoff_cap_seconds=10_000
        )
    ):
        before = timezone.now()
        Relay(worker_id="t").run()
        row = OutboxRow.objects.get()
        wait = (row.next_attempt_at - before).total_seconds()
        assert 50 <= wait <= 101  # attempt 1: base 100 s, half fixed half random
        OutboxRow.objects.update(next_attempt_at=timezone.now())
        before = timezone.now()
        Relay(worker_id="t").run()
        row.refresh_from_db()
        assert 100 <= (row.next_attempt_at - before).total_seconds() <= 201


def test_a_later_event_never_overtakes_an_earlier_failed_one(provincial_on, tree):
    rx = provincial_on
    v = VolunteerFactory(home_region=tree.v1)
    v.name = "改名后"
    v.save()
    other = VolunteerFactory(home_region=tree.v1)
    created = OutboxRow.objects.get(entity_id=v.pk, event="created")
    # The first event of v is in backoff: its update must wait, other volunteers go on.
    OutboxRow.objects.filter(pk=created.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    Relay(worker_id="t").run()
    assert [r["body"]["external_id"] for r in rx.received] == [other.number]
    # A dead first event blocks the entity too, until retried.
    OutboxRow.objects.filter(pk=created.pk).update(
        status=OutboxStatus.DEAD, next_attempt_at=timezone.now()
    )
    Relay(worker_id="t").run()
    assert len(rx.received) == 1
    OutboxRow.objects.filter(pk=created.pk).update(status=OutboxStatus.WAITING)
    drain()
    names = [r["body"]["name"] for r in rx.received if r["body"]["external_id"] == v.number]
    assert names[-1] == "改名后" and len(names) == 2
    assert [r["body"]["op"] for r in rx.received if r["body"]["external_id"] == v.number] == [
        "created",
        "updated",
    ]


def test_a_crashed_relays_rows_are_recovered_after_the_lease(provincial_on, tree):
    rx = provincial_on
    VolunteerFactory(home_region=tree.v1)
    token, rows = claim("provincial", "crashed", 10)  # claimed, then the process died
    assert len(rows) == 1
    Relay(worker_id="t").run()
    assert rx.requests == 0  # still leased to the crashed relay
    OutboxRow.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    Relay(worker_id="t").run()
    row = OutboxRow.objects.get()
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and len(rx.received) == 1


def test_pause_stops_sending_rows_keep_coming(provincial_on, tree):
    TargetState.objects.create(target="provincial", paused=True)
    VolunteerFactory(home_region=tree.v1)
    Relay(worker_id="t").run()
    assert provincial_on.requests == 0 and OutboxRow.objects.get().status == OutboxStatus.WAITING
    TargetState.objects.update(paused=False)
    Relay(worker_id="t").run()
    assert OutboxRow.objects.get().status == OutboxStatus.SENT


def test_stop_between_rows_releases_the_rest(provincial_on, tree):
    rx = provincial_on
    rx.delay = 0.2
    for _ in range(5):
        VolunteerFactory(home_region=tree.v1)
    relay = Relay(worker_id="t")
    threading.Timer(0.3, relay.stop.set).start()
    relay.run()
    sent = OutboxRow.objects.filter(status=OutboxStatus.SENT).count()
    assert 1 <= sent < 5
    assert OutboxRow.objects.filter(status=OutboxStatus.SENDING).count() == 0
    assert set(
        OutboxRow.objects.exclude(status=OutboxStatus.SENT).values_list("attempts", flat=True)
    ) == {0}
    rx.delay = 0
    drain()
    assert len(rx.received) == 5 and rx.duplicates == 0


def test_batches_to_the_national_system(receiver, tree):
    settings = sync_settings(national_url=receiver.url, targets={"national": {"batch": 2}})
    with override_settings(XINFENG_SYNC=settings):
        vs = [VolunteerFactory(home_region=tree.v1) for _ in range(5)]
        drain()
    assert (
        OutboxRow.objects.filter(status=OutboxStatus.SENT, entity_type=Entity.VOLUNTEER).count()
        == 5
    )
    assert receiver.requests == 3 and len(receiver.received) == 5
    body = receiver.received[0]["body"]
    assert body["volunteerNo"] == vs[0].number and body["gender"] in {"0", "1", "2"}
