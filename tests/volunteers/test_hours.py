from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from tests.volunteers.factories import TeamFactory, VolunteerFactory, credit, member
from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.volunteers.choices import MembershipRole, PointsKind, ServiceSource
from xinfeng.volunteers.models import PointsEntry, ServiceRecord, star_level_for
from xinfeng.volunteers.services.ledger import (
    lock_volunteer,
    points_post,
    service_record_backfill,
    service_record_correct,
    service_record_create,
)


@pytest.fixture
def vol(tree):
    return VolunteerFactory(home_region=tree.v1)


def test_record_credits_hours_and_points(vol, tree):
    credit(vol, tree.v1, hours=2.5)
    vol.refresh_from_db()
    assert vol.total_hours == Decimal("2.50")
    assert vol.points_balance == 25
    entry = PointsEntry.objects.get(volunteer=vol)
    assert entry.kind == PointsKind.EARN and entry.service_record is not None


@override_settings(XINFENG_POINTS_PER_HOUR=3)
def test_points_rate_is_configurable(vol, tree):
    credit(vol, tree.v1, hours=2)
    vol.refresh_from_db()
    assert vol.points_balance == 6


def test_end_before_start_is_refused(vol, tree):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        service_record_create(
            volunteer=vol,
            region=tree.v1,
            started_at=now,
            ended_at=now - timedelta(hours=1),
            source_type=ServiceSource.OTHER,
        )
    assert exc.value.code == "end_before_start"


@pytest.mark.parametrize("hours", ["-1", "0"])
def test_non_positive_hours_are_refused(vol, tree, hours):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        service_record_create(
            volunteer=vol,
            region=tree.v1,
            started_at=now - timedelta(hours=3),
            ended_at=now,
            hours=Decimal(hours),
            source_type=ServiceSource.OTHER,
        )
    assert exc.value.code == "invalid_hours"


def test_hours_may_exclude_travel_but_not_exceed_span(vol, tree):
    now = timezone.now()
    rec = service_record_create(
        volunteer=vol,
        region=tree.v1,
        started_at=now - timedelta(hours=3),
        ended_at=now,
        hours=Decimal("2"),
        source_type=ServiceSource.OTHER,
    )
    assert rec.hours == Decimal("2.00")
    with pytest.raises(ValidationFailed) as exc:
        service_record_create(
            volunteer=vol,
            region=tree.v1,
            started_at=now - timedelta(hours=3),
            ended_at=now,
            hours=Decimal("4"),
            source_type=ServiceSource.OTHER,
        )
    assert exc.value.code == "hours_exceed_span"


def test_backfill_is_flagged_and_capped(vol, tree, owner):
    now = timezone.now()
    rec = service_record_backfill(
        actor=owner,
        volunteer=vol,
        region=tree.v1,
        started_at=now - timedelta(hours=6),
        ended_at=now - timedelta(hours=1),
        max_hours=Decimal("2"),
        description="村口清扫",
    )
    assert rec.is_backfill and rec.verification == "backfill"
    assert rec.hours == Decimal("2.00")
    assert rec.verified_by == owner


def test_backfill_by_outsider_is_forbidden(vol, tree, outsider):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        service_record_backfill(
            actor=outsider,
            volunteer=vol,
            region=tree.v1,
            started_at=now - timedelta(hours=2),
            ended_at=now - timedelta(hours=1),
            description="x",
        )


def test_team_leader_may_backfill_for_own_team(vol, tree):
    team = TeamFactory(home_site=tree.st2)
    leader = VolunteerFactory(home_region=tree.v2)
    from tests.factories import UserFactory

    leader.user = UserFactory()
    leader.save()
    member(team, leader, MembershipRole.LEADER)
    member(team, vol)
    now = timezone.now()
    rec = service_record_backfill(
        actor=leader.user,
        volunteer=vol,
        region=tree.v2,
        team=team,
        started_at=now - timedelta(hours=2),
        ended_at=now - timedelta(hours=1),
        description="巡河",
    )
    assert rec.team == team


def test_backfill_of_future_service_is_refused(vol, tree, owner):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        service_record_backfill(
            actor=owner,
            volunteer=vol,
            region=tree.v1,
            started_at=now,
            ended_at=now + timedelta(hours=2),
            description="x",
        )
    assert exc.value.code == "backfill_future"


def test_correction_is_a_new_record_referencing_the_old(vol, tree, owner):
    rec = credit(vol, tree.v1, hours=3)
    fix = service_record_correct(actor=owner, record=rec, hours=Decimal("1"), reason="多记了")
    rec.refresh_from_db()
    assert rec.hours == Decimal("3.00")  # the original is untouched
    assert fix.corrects == rec and fix.hours == Decimal("-2.00")
    vol.refresh_from_db()
    assert vol.total_hours == Decimal("1.00")
    assert vol.points_balance == 10
    total = ServiceRecord.objects.filter(volunteer=vol).aggregate(s=Sum("hours"))["s"]
    assert total == vol.total_hours
    # Correcting the correction settles against the same original.
    again = service_record_correct(actor=owner, record=fix, hours=Decimal("2.5"), reason="核实")
    assert again.corrects == rec and again.hours == Decimal("1.50")
    vol.refresh_from_db()
    assert vol.total_hours == Decimal("2.50") and vol.points_balance == 25


def test_correction_by_outsider_is_forbidden(vol, tree, outsider):
    rec = credit(vol, tree.v1, hours=3)
    with pytest.raises(PermissionDenied):
        service_record_correct(actor=outsider, record=rec, hours=Decimal("1"), reason="x")


def test_negative_corrected_hours_refused(vol, tree, owner):
    rec = credit(vol, tree.v1, hours=3)
    with pytest.raises(ValidationFailed) as exc:
        service_record_correct(actor=owner, record=rec, hours=Decimal("-1"), reason="x")
    assert exc.value.code == "invalid_hours"


def test_clawback_stops_at_zero_balance(vol, tree, owner):
    rec = credit(vol, tree.v1, hours=3)
    with transaction.atomic():  # spend 25 of the 30 points
        points_post(volunteer=lock_volunteer(vol.pk), delta=-25, kind=PointsKind.ADJUST)
    service_record_correct(actor=owner, record=rec, hours=Decimal("0"), reason="无效")
    vol.refresh_from_db()
    assert vol.points_balance == 0
    assert vol.total_hours == Decimal("0.00")


def test_star_levels():
    assert [star_level_for(h) for h in (0, 99.99, 100, 300, 599, 600, 1000, 1500, 9999)] == [
        0,
        0,
        1,
        2,
        2,
        3,
        4,
        5,
        5,
    ]
