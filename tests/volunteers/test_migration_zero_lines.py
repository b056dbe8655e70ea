"""The migration that brings the "never 0 hours / 0 points" constraints removes the 0-hour
records and 0-point ledger lines an existing database holds (issue 11), so it applies, and
keeps everything else.

Only ``volunteers.0004`` itself is taken back and applied again, with the executor's own
``unapply_migration``/``apply_migration`` from the state 0003 leaves: ``migrate`` to 0003
would also take back (and then re-apply) every later migration that depends on 0004 in
other apps, rendering the whole project state for each step — minutes on a busy machine,
for nothing this test checks. Those later migrations touch no table 0004 changes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

AFTER = ("volunteers", "0004_hours_never_zero_disputes")


@pytest.mark.django_db(transaction=True)
def test_existing_zero_lines_are_dropped_before_the_constraints(tree):
    executor = MigrationExecutor(connection)
    loader = executor.loader
    migration = loader.get_migration(*AFTER)
    assert AFTER in executor.recorder.applied_migrations()
    # The state 0004 starts from: every migration it depends on, in every app.
    before = loader.project_state(AFTER, at_end=False)
    executor.unapply_migration(before.clone(), migration)
    apps = before.apps
    assert AFTER not in executor.recorder.applied_migrations()
    Volunteer = apps.get_model("volunteers", "Volunteer")
    ServiceRecord = apps.get_model("volunteers", "ServiceRecord")
    PointsEntry = apps.get_model("volunteers", "PointsEntry")
    try:
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
        after = executor.apply_migration(before.clone(), migration)
        ServiceRecord = after.apps.get_model("volunteers", "ServiceRecord")
        PointsEntry = after.apps.get_model("volunteers", "PointsEntry")
        assert list(ServiceRecord.objects.values_list("hours", flat=True)) == [Decimal("2.00")]
        assert list(PointsEntry.objects.values_list("delta", flat=True)) == [20]
    finally:
        if AFTER not in executor.recorder.applied_migrations():
            # Failed on the way: leave the schema as the other tests expect it.
            PointsEntry.objects.all().delete()
            ServiceRecord.objects.all().delete()
            executor.apply_migration(before.clone(), migration)
