"""Issue 11: a 0-hour record is never written (model constraint, whatever the path), no
0-point ledger line, and a member disputes their hours within a window; the dispute is
settled by an append-only correction (or the hours are kept)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from tests.factories import UserFactory
from tests.volunteers.factories import TeamFactory, VolunteerFactory, credit, member
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.volunteers.choices import MembershipRole, PointsKind, ServiceSource, Verification
from xinfeng.volunteers.models import HoursDispute, PointsEntry, ServiceRecord, Volunteer
from xinfeng.volunteers.policy import hours_change_needs_reason, min_service_hours
from xinfeng.volunteers.services.disputes import hours_dispute_open, hours_dispute_resolve
from xinfeng.volunteers.services.ledger import service_record_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def vol(tree):
    return VolunteerFactory(home_region=tree.v1, user=UserFactory())


@pytest.fixture
def team_leader(tree, vol):
    team = TeamFactory(region=tree.v1)
    member(team, vol)
    leader = VolunteerFactory(home_region=tree.v1, user=UserFactory())
    member(team, leader, role=MembershipRole.LEADER)
    return team, leader.user


def _raw_record(vol, tree, **kw):
    now = timezone.now()
    fields = {
        "volunteer": vol,
        "region": tree.v1,
        "source_type": ServiceSource.ORDER,
        "started_at": now - timedelta(minutes=1),
        "ended_at": now,
        "hours": Decimal("0"),
        "verification": Verification.LEADER,
    }
    fields.update(kw)
    return ServiceRecord.objects.create(**fields)


def test_the_database_refuses_a_0_hour_record_even_bypassing_the_service(vol, tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_record(vol, tree)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_record(vol, tree, hours=Decimal("-1"))
    assert not ServiceRecord.objects.exists()
    # A real record, and a correction that changes it (may be negative), are fine …
    original = _raw_record(vol, tree, hours=Decimal("0.50"))
    _raw_record(vol, tree, hours=Decimal("-0.25"), corrects=original)
    # … a "correction" of 0 is not.
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_record(vol, tree, hours=Decimal("0"), corrects=original)


def test_the_database_refuses_a_0_point_ledger_line(vol):
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(volunteer=vol, kind=PointsKind.EARN, delta=0, balance_after=0)


def test_button_presses_seconds_apart_write_nothing(vol, tree):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        service_record_create(
            volunteer=vol,
            region=tree.v1,
            started_at=now - timedelta(seconds=10),
            ended_at=now,
            source_type=ServiceSource.ORDER,
        )
    assert exc.value.code == "zero_hours"
    assert not ServiceRecord.objects.exists() and not PointsEntry.objects.exists()
    vol.refresh_from_db()
    assert vol.total_hours == 0 and vol.points_balance == 0


def test_hours_that_earn_no_point_write_no_ledger_line(vol, tree):
    record = credit(vol, tree.v1, hours=0.04)  # 0.04 h × 10 points = 0.4 → 0 points
    assert record.hours == Decimal("0.04")
    assert not PointsEntry.objects.exists()


def test_the_policy_numbers():
    assert min_service_hours() == Decimal("0.50")
    with override_settings(XINFENG_MIN_SERVICE_MINUTES=15):
        assert min_service_hours() == Decimal("0.25")
    # Far from the default: more than half an hour and more than a quarter of it.
    assert hours_change_needs_reason(Decimal("0.02"), Decimal("2"))
    assert not hours_change_needs_reason(Decimal("2"), Decimal("2.4"))
    assert hours_change_needs_reason(Decimal("2"), Decimal("3"))
    assert not hours_change_needs_reason(Decimal("8"), Decimal("9"))


def test_a_member_disputes_and_the_leader_corrects_by_appending(vol, tree, team_leader):
    team, leader = team_leader
    record = credit(vol, tree.v1, hours=1, team=team, verified_by=leader)
    dispute = hours_dispute_open(
        actor=vol.user, record=record, reason="实际服务了 3 小时", claimed_hours="3"
    )
    assert dispute.status == HoursDispute.Status.OPEN and dispute.claimed_hours == 3
    # One open dispute per record.
    with pytest.raises(Conflict):
        hours_dispute_open(actor=vol.user, record=record, reason="再次申诉")
    # The member cannot settle their own; a stranger cannot either.
    with pytest.raises(PermissionDenied):
        hours_dispute_resolve(actor=vol.user, dispute=dispute, hours="3", note="自己改")
    with pytest.raises(PermissionDenied):
        hours_dispute_resolve(actor=UserFactory(), dispute=dispute, hours="3", note="路人")
    hours_dispute_resolve(actor=leader, dispute=dispute, hours="3", note="核实签到表，属实")
    dispute.refresh_from_db()
    assert dispute.status == HoursDispute.Status.UPHELD and dispute.resolved_by == leader
    # Append-only: the original is unchanged, a correction of +2 h refers to it.
    record.refresh_from_db()
    assert record.hours == Decimal("1.00")
    fix = dispute.correction
    assert fix.corrects == record and fix.hours == Decimal("2.00")
    assert fix.started_at <= fix.ended_at - timedelta(hours=3)
    vol.refresh_from_db()
    assert vol.total_hours == Decimal("3.00") and vol.points_balance == 30
    with pytest.raises(Conflict):
        hours_dispute_resolve(actor=leader, dispute=dispute, hours="4", note="再改")


def test_a_rejected_dispute_keeps_the_hours(vol, tree, team_leader):
    team, leader = team_leader
    record = credit(vol, tree.v1, hours=2, team=team, verified_by=leader)
    dispute = hours_dispute_open(actor=vol.user, record=record, reason="应该更多")
    with pytest.raises(ValidationFailed):
        hours_dispute_resolve(actor=leader, dispute=dispute, note="")
    hours_dispute_resolve(actor=leader, dispute=dispute, note="签到记录显示 2 小时")
    dispute.refresh_from_db()
    assert dispute.status == HoursDispute.Status.REJECTED and dispute.correction is None
    assert ServiceRecord.objects.count() == 1
    assert Volunteer.objects.get(pk=vol.pk).total_hours == Decimal("2.00")


def test_only_the_member_and_only_within_the_window(vol, tree, team_leader):
    team, leader = team_leader
    record = credit(vol, tree.v1, hours=2, team=team, verified_by=leader)
    with pytest.raises(PermissionDenied):
        hours_dispute_open(actor=leader, record=record, reason="替他申诉")
    with pytest.raises(ValidationFailed):
        hours_dispute_open(actor=vol.user, record=record, reason="")
    ServiceRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(days=8))
    record.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        hours_dispute_open(actor=vol.user, record=record, reason="太晚了")
    assert exc.value.code == "dispute_window_closed"


def test_disputes_over_the_api(vol, tree, team_leader, api_as):
    team, leader = team_leader
    record = credit(vol, tree.v1, hours=1, team=team, verified_by=leader)
    me = api_as(vol.user)
    url = f"/api/v1/volunteers/me/records/{record.pk}/dispute"
    resp = me.post(url, {"reason": "x" * 301}, content_type="application/json")
    assert resp.status_code in (400, 422)
    resp = me.post(
        url, {"reason": "少算了", "claimed_hours": "2.5"}, content_type="application/json"
    )
    assert resp.status_code == 201, resp.content
    dispute_id = resp.json()["id"]
    assert resp.json()["status"] == "open"
    assert me.get("/api/v1/volunteers/me/disputes").json()["items"][0]["id"] == dispute_id
    # Somebody else's record is not found.
    other = VolunteerFactory(home_region=tree.v1, user=UserFactory())
    assert (
        api_as(other.user)
        .post(url, {"reason": "不是我的"}, content_type="application/json")
        .status_code
        == 404
    )
    lead = api_as(leader)
    listed = lead.get("/api/v1/volunteers/hours/disputes").json()["items"]
    assert [d["id"] for d in listed] == [dispute_id]
    assert api_as(other.user).get("/api/v1/volunteers/hours/disputes").json()["items"] == []
    resp = lead.post(
        f"/api/v1/volunteers/hours/disputes/{dispute_id}/resolve",
        {"hours": "2.5", "note": "核实属实"},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "upheld" and resp.json()["correction_id"]
    resp = lead.post(
        f"/api/v1/volunteers/hours/disputes/{dispute_id}/resolve",
        {"note": "再处理"},
        content_type="application/json",
    )
    assert resp.status_code == 409 and resp.json()["code"] == "dispute_resolved"
