"""Real concurrency on PostgreSQL: two relays at once, and a relay killed with -9.

    XINFENG_PG_TEST_NAME=test_sync DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m pytest tests/sync/test_concurrency_pg.py
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import override_settings

from xinfeng.sync.choices import Entity, OutboxStatus
from xinfeng.sync.models import OutboxRow

from .conftest import sync_settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def make_rows(n: int, *, per_entity: int = 1) -> None:
    OutboxRow.objects.bulk_create(
        [
            OutboxRow(
                target="provincial",
                entity_type=Entity.VOLUNTEER,
                entity_id=i // per_entity,
                event="updated",
                payload={
                    "id": i,
                    "number": f"ZY{i // per_entity:08d}",
                    "name": f"v{i}",
                    "gender": "",
                    "birth_date": None,
                    "political_status": "masses",
                    "region_code": "",
                    "skills": [],
                    "is_active": True,
                    "registered_at": None,
                    "seq": i,
                },
            )
            for i in range(n)
        ],
        batch_size=1000,
    )


def test_two_relays_at_once_never_send_one_row_twice(postgres_only, receiver):
    make_rows(600, per_entity=3)
    errors = []

    def run(name):
        from xinfeng.sync.services.relay import Relay

        try:
            with override_settings(XINFENG_SYNC=sync_settings(provincial_url=receiver.url)):
                for _ in range(200):
                    Relay(worker_id=name, batch=25).run()
                    if not OutboxRow.objects.exclude(status=OutboxStatus.SENT).exists():
                        break
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"relay{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert OutboxRow.objects.filter(status=OutboxStatus.SENT).count() == 600
    assert len(receiver.keys) == 600
    assert receiver.duplicates == 0  # no row sent by both relays
    # Per-entity order held under concurrency: each volunteer's events arrived in id order.
    seqs: dict[str, list[int]] = {}
    for r in receiver.received:
        seqs.setdefault(r["body"]["external_id"], []).append(r["n"])
    by_key = {r["key"]: r["n"] for r in receiver.received}
    for entity_id in range(200):
        keys = list(
            OutboxRow.objects.filter(entity_id=entity_id)
            .order_by("id")
            .values_list("idempotency_key", flat=True)
        )
        arrivals = [by_key[k] for k in keys]
        assert arrivals == sorted(arrivals)


def test_kill_9_mid_batch_loses_nothing(postgres_only, receiver):
    make_rows(400)
    receiver.delay = 0.01
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "XINFENG_SYNC_PROVINCIAL_URL": receiver.url,
        "XINFENG_SYNC_NATIONAL_URL": "",
        "XINFENG_SYNC_LEASE_SECONDS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "sync_relay", "--batch", "50", "--worker-id", "doomed"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(receiver.keys) < 60 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < len(receiver.keys) < 400, proc.stderr.read().decode()[-2000:]
    assert OutboxRow.objects.filter(status=OutboxStatus.SENDING).exists()  # left claimed
    receiver.delay = 0
    time.sleep(1.1)  # the dead relay's lease runs out
    from xinfeng.sync.services.relay import Relay

    with override_settings(XINFENG_SYNC=sync_settings(provincial_url=receiver.url)):
        for _ in range(50):
            Relay(worker_id="survivor").run()
            if not OutboxRow.objects.exclude(status=OutboxStatus.SENT).exists():
                break
    assert OutboxRow.objects.filter(status=OutboxStatus.SENT).count() == 400  # nothing lost
    assert len(receiver.keys) == 400
    # A repeat is only a row the killed relay had sent but not yet marked: same key, so the
    # receiver answered "already have it" and stored it once.
    assert len(receiver.received) == 400
    assert receiver.duplicates <= 50


def test_sigterm_stops_sync_relay_between_rows(postgres_only, receiver):
    make_rows(300)
    receiver.delay = 0.01
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "XINFENG_SYNC_PROVINCIAL_URL": receiver.url,
        "XINFENG_SYNC_NATIONAL_URL": "",
    }
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "sync_relay", "--batch", "100", "--worker-id", "polite"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(receiver.keys) < 30 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()[-2000:]
    # Stopped between rows: nothing left claimed, every row sent is marked sent, the rest
    # waits with its attempt given back.
    assert not OutboxRow.objects.filter(status=OutboxStatus.SENDING).exists()
    sent = OutboxRow.objects.filter(status=OutboxStatus.SENT).count()
    assert 0 < sent < 300 and sent == len(receiver.keys)
    assert set(
        OutboxRow.objects.exclude(status=OutboxStatus.SENT).values_list("attempts", flat=True)
    ) == {0}


def test_one_person_pushed_at_once_under_many_keys_is_one_volunteer(postgres_only, tree):
    from django.test import Client

    from tests.volunteers.factories import make_id
    from xinfeng.volunteers.models import Volunteer

    body = {
        "external_id": "N-7",
        "name": "刘晓梅",
        "id_number": make_id(seq=777),
        "phone": "13900007777",
        "region_code": tree.v1.code,
    }
    answers = []
    barrier = threading.Barrier(6)

    def push(i):
        try:
            barrier.wait()
            r = Client().post(
                "/api/v1/sync/inbound/volunteers",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION="Bearer nat-in",
                HTTP_IDEMPOTENCY_KEY=f"key-{i}",
            )
            answers.append(r.status_code)
        finally:
            connections.close_all()

    with override_settings(XINFENG_SYNC=sync_settings(provincial_url="http://127.0.0.1:9")):
        threads = [threading.Thread(target=push, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert Volunteer.objects.count() == 1
    assert answers.count(201) == 1 and set(answers) <= {200, 201, 409}, answers
