"""The adapters' mappings from real rows, and the daily figures."""

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.factories import VolunteerFactory
from tests.volunteers.factories import credit
from xinfeng.sync.adapters import national_v1, provincial_v1
from xinfeng.sync.choices import Entity, OutboxStatus
from xinfeng.sync.models import DailyReport, OutboxRow
from xinfeng.sync.services.reconcile import reports_refresh

from .conftest import sync_settings

pytestmark = pytest.mark.django_db
BOTH = sync_settings(provincial_url="http://127.0.0.1:9", national_url="http://127.0.0.1:9")


@override_settings(XINFENG_SYNC=BOTH)
def test_national_service_record_has_decimal_hours_and_the_volunteer_number(tree):
    v = VolunteerFactory(home_region=tree.v1, gender="female")
    credit(v, tree.v1, hours=2.5)
    row = OutboxRow.objects.get(target="national", entity_type=Entity.SERVICE_RECORD)
    req = national_v1.request(row)
    assert req.path == "/api/service-records"
    body = req.body
    assert body["volunteerNo"] == v.number and body["serviceHours"] == 2.5
    assert body["recordNo"] == f"XF-R{row.entity_id}" and body["areaCode"] == tree.v1.code
    assert {"serviceStart", "serviceEnd", "serviceContent", "verifyMethod", "isSupplement"} <= set(
        body
    )
    vol = national_v1.request(
        OutboxRow.objects.get(target="national", entity_type=Entity.VOLUNTEER)
    )
    assert vol.body["gender"] == "2" and vol.body["status"] == "1"
    assert v.id_number_hash is None or v.id_number_hash not in str(vol.body)


@override_settings(XINFENG_SYNC=BOTH)
def test_provincial_uses_our_ids_as_external_ids_and_deletes_by_them(tree):
    v = VolunteerFactory(home_region=tree.v1)
    number = v.number
    v.delete()
    created, deleted = OutboxRow.objects.filter(target="provincial").order_by("id")
    assert provincial_v1.request(created).body["external_id"] == number
    req = provincial_v1.request(deleted)
    assert (req.method, req.path) == ("DELETE", f"/v1/volunteers/{number}")


@override_settings(XINFENG_SYNC=BOTH)
def test_daily_report_figures(tree):
    for _ in range(3):
        VolunteerFactory(home_region=tree.v1)
    prov = OutboxRow.objects.filter(target="provincial").order_by("id")
    OutboxRow.objects.filter(pk=prov[0].pk).update(status=OutboxStatus.SENT, ack_ref="A1")
    OutboxRow.objects.filter(pk=prov[1].pk).update(status=OutboxStatus.DEAD)
    assert reports_refresh(days=1) == 2
    rep = DailyReport.objects.get(target="provincial", day=timezone.localdate())
    assert (rep.sent, rep.acknowledged, rep.failed, rep.waiting) == (1, 1, 1, 1)
    assert rep.oldest_waiting_at == prov[2].created_at and len(rep.sent_ids_sha256) == 64
