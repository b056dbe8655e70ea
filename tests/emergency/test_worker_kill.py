"""The worker dies mid-send (SIGKILL) and is restarted: no message is lost and none is sent
twice. Needs PostgreSQL (a second process must see the committed test data)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from xinfeng.emergency.choices import RecipientState
from xinfeng.emergency.models import CalloutRecipient
from xinfeng.emergency.services.callouts import callout_create
from xinfeng.notifications.models import Notification

from ..factories import UserFactory, VolunteerFactory, join

PEOPLE = 300


def _env() -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["XINFENG_EMERGENCY_SEND_BATCH"] = "1"  # one transaction per message: easy to cut
    return env


def _sent(callout) -> int:
    return CalloutRecipient.objects.filter(callout=callout, state=RecipientState.SENT).count()


@pytest.mark.django_db(transaction=True)
def test_killed_worker_loses_nothing_and_sends_nothing_twice(postgres_only, ew, flood):
    for i in range(PEOPLE):
        join(
            ew.rescue,
            VolunteerFactory(
                home_region=ew.tree.v1, user=UserFactory(username=f"k{i}", phone=f"137{i:08d}")
            ),
        )
    callout = callout_create(actor=ew.owner, incident=flood, title="抢险", teams=[ew.rescue])
    total = callout.recipients.count()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2"],
        cwd=Path(settings.BASE_DIR),
        env=_env(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _sent(callout) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(30)
    cut = _sent(callout)
    assert 0 < cut < total, f"the kill did not land mid-send ({cut}/{total})"
    # What was marked sent has its inbox message, and nothing else has one.
    notes = Notification.objects.filter(kind="emergency.callout")
    assert notes.count() == cut

    # Restart: one round of a fresh worker (its periodic job sends what is still queued).
    subprocess.run(
        [sys.executable, "manage.py", "worker", "--once"],
        cwd=Path(settings.BASE_DIR),
        env=_env(),
        check=True,
        timeout=300,
        capture_output=True,
    )
    assert _sent(callout) == total
    per_user = notes.values("recipient_id").annotate(n=Count("id"))
    assert len(per_user) == total and {row["n"] for row in per_user} == {1}
