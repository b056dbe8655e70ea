"""The migration that brings the "never 0 hours / 0 points" constraints removes the 0-hour
records and 0-point ledger lines an existing database holds (issue 11), so it applies, and
keeps everything else."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("volunteers", "0003_alter_certificate_region_alter_servicerecord_region_and_more")]
AFTER = [("volunteers", "0004_hours_never_zero_disputes")]


@pytest.mark.django_db(transaction=True)
def test_existing_zero_lines_are_dropped_before_the_constraints(tree):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Volunteer = apps.get_model("volunteers", "Volunteer")
    ServiceRecord = apps.get_model("volunteers", "ServiceRecord")
    PointsEntry = apps.get_model("volunteers", "PointsEntry")
    v = Volunteer.objects.create(number="ZY2026000777", name="测试", home_region_id=tree.v1.pk)
    now = timezone.now()
    common = {
        "volunteer": v,
        "region_id": tree.v1.pk,
        "source_type": "order",
        "started_at": now - timedelta(minutes=1),
        "ended_at": now,
        "verification": "leader",
    }
    zero = ServiceRecord.objects.create(hours=Decimal("0"), **common)
    PointsEntry.objects.create(
        volunteer=v, kind="earn", delta=0, balance_after=0, service_record=zero
    )
    real = ServiceRecord.objects.create(hours=Decimal("2"), **common)
    PointsEntry.objects.create(
        volunteer=v, kind="earn", delta=20, balance_after=20, service_record=real
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        ServiceRecord = apps.get_model("volunteers", "ServiceRecord")
        PointsEntry = apps.get_model("volunteers", "PointsEntry")
        assert list(ServiceRecord.objects.values_list("hours", flat=True)) == [Decimal("2.00")]
        assert list(PointsEntry.objects.values_list("delta", flat=True)) == [20]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
