"""Every change an upper platform needs writes its outbox row in the same transaction."""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.factories import ProjectFactory, TeamFactory, UserFactory, VolunteerFactory, grant
from tests.volunteers.factories import credit
from xinfeng.accounts.choices import Role
from xinfeng.orders.choices import OrderAction
from xinfeng.orders.services import order_approve
from xinfeng.orders.services.create import order_create
from xinfeng.sync.choices import Entity
from xinfeng.sync.models import OutboxRow
from xinfeng.sync.services.outbox import changes_from

from .conftest import sync_settings

pytestmark = pytest.mark.django_db

BOTH = sync_settings(provincial_url="http://127.0.0.1:9", national_url="http://127.0.0.1:9")


def rows(entity=None):
    qs = OutboxRow.objects.order_by("id")
    if entity:
        qs = qs.filter(entity_type=entity)
    return list(qs.values_list("target", "entity_type", "event"))


@override_settings(XINFENG_SYNC=BOTH)
def test_each_listed_change_writes_rows_for_the_targets_that_take_it(tree, sysadmin):
    v = VolunteerFactory(home_region=tree.v1)
    assert rows(Entity.VOLUNTEER) == [
        ("national", "volunteer", "created"),
        ("provincial", "volunteer", "created"),
    ]
    payload = OutboxRow.objects.filter(entity_type=Entity.VOLUNTEER).first().payload
    assert payload["number"] == v.number and "id_number" not in str(payload)
    assert "phone" not in payload
    v.is_active = False
    v.save()
    assert {e for _, _, e in rows(Entity.VOLUNTEER)} == {"created", "left"}
    team = TeamFactory(home_site=tree.st1)
    ProjectFactory(site=tree.st1, region=tree.v1)
    credit(v, tree.v1, hours=2.5, team=team)
    rec = OutboxRow.objects.get(target="national", entity_type=Entity.SERVICE_RECORD)
    assert rec.payload["hours"] == "2.50" and rec.payload["volunteer_number"] == v.number
    assert {e for _, e, _ in rows()} >= {"team", "project", "service_record"}
    # Totals moving on the volunteer (F() update) are not news for an upper platform.
    assert OutboxRow.objects.filter(entity_type=Entity.VOLUNTEER).count() == 4


@override_settings(XINFENG_SYNC=BOTH)
def test_orders_report_the_four_step_loop_to_the_province_only(tree, resident, sysadmin):
    order, _created = order_create(actor=resident, region=tree.v1, title="理发", site=tree.st1)
    operator = grant(UserFactory(username="op"), Role.STATION_OPERATOR, tree.v1)
    tree.st1.operators.add(operator)
    order_approve(actor=operator, order=order)
    got = rows(Entity.ORDER)
    assert got == [
        ("provincial", "order", f"order.{OrderAction.SUBMIT}"),
        ("provincial", "order", f"order.{OrderAction.APPROVE}"),
    ]


@override_settings(XINFENG_SYNC=BOTH)
def test_a_rolled_back_change_writes_no_row(tree):
    with pytest.raises(RuntimeError), transaction.atomic():
        VolunteerFactory(home_region=tree.v1)
        assert OutboxRow.objects.count() == 2  # written inside the transaction...
        raise RuntimeError("the service failed after saving")
    assert OutboxRow.objects.count() == 0  # ...and gone with it


def test_a_target_without_url_is_off(tree):
    with override_settings(XINFENG_SYNC=sync_settings()):
        VolunteerFactory(home_region=tree.v1)
    assert OutboxRow.objects.count() == 0


@override_settings(XINFENG_SYNC=BOTH)
def test_changes_pushed_down_by_a_target_are_not_sent_back_to_it(tree):
    with changes_from("national"):
        VolunteerFactory(home_region=tree.v1)
    assert rows() == [("provincial", "volunteer", "created")]


@override_settings(XINFENG_SYNC=BOTH)
def test_volunteers_bulk_created_by_the_import_are_swept_in(tree):
    from xinfeng.sync.services.outbox import sweep_bulk_created_volunteers
    from xinfeng.volunteers.models import Volunteer

    reported = VolunteerFactory(home_region=tree.v1)
    Volunteer.objects.bulk_create(  # what services.imports does: no post_save
        [Volunteer(number=f"ZY20990900{i}", name=f"导入{i}", home_region=tree.v1) for i in range(3)]
    )
    assert OutboxRow.objects.count() == 2
    assert sweep_bulk_created_volunteers() == 6  # 3 volunteers x 2 targets
    assert sweep_bulk_created_volunteers() == 0  # idempotent
    assert OutboxRow.objects.filter(entity_id=reported.pk).count() == 2


@override_settings(XINFENG_SYNC=BOTH)
def test_corrections_and_certificates_issued_and_revoked(tree, sysadmin):
    from decimal import Decimal

    from xinfeng.volunteers.services.certificates import certificate_issue, certificate_revoke
    from xinfeng.volunteers.services.ledger import service_record_correct

    v = VolunteerFactory(home_region=tree.v1)
    record = credit(v, tree.v1, hours=3)
    service_record_correct(actor=sysadmin, record=record, hours=Decimal("2"), reason="签退晚了")
    events = rows(Entity.SERVICE_RECORD)
    assert ("national", "service_record", "corrected") in events
    corr = OutboxRow.objects.get(
        target="national", entity_type=Entity.SERVICE_RECORD, event="corrected"
    )
    assert corr.payload["corrects_id"] == record.pk
    cert = certificate_issue(actor=sysadmin, volunteer=v, issuer_site=tree.center)
    certificate_revoke(actor=sysadmin, certificate=cert, reason="出具有误")
    assert rows(Entity.CERTIFICATE) == [
        ("national", "certificate", "issued"),
        ("provincial", "certificate", "issued"),
        ("national", "certificate", "revoked"),
        ("provincial", "certificate", "revoked"),
    ]
    payload = OutboxRow.objects.filter(event="revoked").first().payload
    assert payload["number"] == cert.number and payload["revoke_reason"] == "出具有误"
