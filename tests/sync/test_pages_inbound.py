"""The staff page (dead letters, retry, pause, reconciliation file) and the inbound API."""

import csv
import io

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import UserFactory, VolunteerFactory, grant
from tests.volunteers.factories import make_id
from xinfeng.accounts.choices import Role
from xinfeng.sync.choices import OutboxStatus
from xinfeng.sync.models import OutboxRow, TargetState
from xinfeng.sync.services.reconcile import sent_keys_sha256
from xinfeng.volunteers.models import ServiceRecord, Volunteer

from .conftest import sync_settings

pytestmark = pytest.mark.django_db
ON = sync_settings(provincial_url="http://127.0.0.1:9")


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@override_settings(XINFENG_SYNC=ON)
def test_only_center_and_system_admins_see_and_retry(tree, owner, sysadmin):
    VolunteerFactory(home_region=tree.v1)
    row = OutboxRow.objects.get()
    OutboxRow.objects.filter(pk=row.pk).update(
        status=OutboxStatus.DEAD, attempts=8, last_error="HTTP 500: boom"
    )
    center = grant(UserFactory(username="center"), Role.CENTER_ADMIN, tree.city)
    assert Client().get("/sync/").status_code == 302
    assert client_for(owner).get("/sync/").status_code == 403
    assert client_for(owner).post(f"/sync/rows/{row.pk}/retry").status_code == 403
    page = client_for(center).get("/sync/")
    assert page.status_code == 200 and "HTTP 500: boom" in page.content.decode()
    assert client_for(sysadmin).get("/sync/").status_code == 200
    resp = client_for(center).post(f"/sync/rows/{row.pk}/retry")
    assert resp.status_code == 302
    row.refresh_from_db()
    assert row.status == OutboxStatus.WAITING and row.attempts == 0
    client_for(center).post("/sync/targets/provincial/pause", {"paused": "1"})
    assert TargetState.objects.get(target="provincial").paused


@override_settings(XINFENG_SYNC=ON)
def test_reconciliation_file_counts_and_hash(tree, sysadmin):
    for _ in range(3):
        VolunteerFactory(home_region=tree.v1)
    OutboxRow.objects.filter(
        pk__in=list(OutboxRow.objects.values_list("pk", flat=True)[:2])
    ).update(status=OutboxStatus.SENT, ack_ref="R1")
    resp = client_for(sysadmin).get("/sync/targets/provincial/reconciliation.csv?start=2020-01-01")
    assert resp.status_code == 200
    lines = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["target", "day", "sent"]
    today = lines[-1]
    assert today[2:6] == ["2", "2", "0", "1"]
    import hashlib

    keys = sorted(OutboxRow.objects.filter(status="sent").values_list("idempotency_key", flat=True))
    assert today[7] == hashlib.sha256("".join(k + "\n" for k in keys).encode()).hexdigest()
    assert today[7] == sent_keys_sha256("provincial", timezone.localdate())


def _push(path, body, token="nat-in", key="k1"):
    return Client().post(
        f"/api/v1/sync/inbound/{path}",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@override_settings(XINFENG_SYNC=ON)
def test_inbound_volunteer_merges_never_duplicates(tree):
    body = {
        "external_id": "N-001",
        "name": "王小红",
        "id_number": make_id(seq=321),
        "phone": "13900001111",
        "region_code": tree.v1.code,
    }
    assert _push("volunteers", body, token="wrong").status_code == 401
    r = _push("volunteers", body)
    assert r.status_code == 201 and r.json()["merged"] is False
    number = r.json()["volunteer_number"]
    assert _push("volunteers", body).json() == r.json()  # same key: same answer
    again = _push("volunteers", {**body, "external_id": "N-999"}, key="k2")  # same ID number
    assert again.status_code == 200 and again.json() == {"volunteer_number": number, "merged": True}
    assert Volunteer.objects.count() == 1
    # Pushed down by the national system: not sent back to it (only the province gets it).
    assert list(OutboxRow.objects.values_list("target", flat=True)) == ["provincial"]
    rec = {
        "external_id": "NR-1",
        "volunteer_external_id": "N-001",
        "started_at": "2026-11-01T09:00:00+08:00",
        "ended_at": "2026-11-01T11:30:00+08:00",
        "hours": "2.5",
        "description": "敬老院帮扶",
    }
    r1 = _push("service-records", rec, key="r1")
    assert r1.status_code == 201
    r2 = _push("service-records", rec, key="r2")  # a new key but the same record
    assert r2.status_code == 200 and r2.json()["merged"] is True
    assert ServiceRecord.objects.count() == 1
    assert _push("service-records", rec, key="").status_code == 400
    bad = _push(
        "volunteers",
        {**body, "id_number": make_id(seq=999), "external_id": "", "region_code": "x"},
        key="k9",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "region_unknown"
