"""Accept with named members, each member confirms, start checks in, complete with a
report and photos credits hours; minors never on risky work."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xinfeng.core.errors import ValidationFailed
from xinfeng.orders.choices import AssignmentStatus, OrderState
from xinfeng.orders.models import OrderAssignment, OrderPhoto
from xinfeng.projects.models import Project
from xinfeng.volunteers.models import ServiceRecord

pytestmark = pytest.mark.django_db


def _json(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _png(name="p.png", size=(8, 8)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_accept_names_members_who_must_confirm_before_start(world, build, api_as):
    order = build(OrderState.DISPATCHED)
    leader = api_as(world.leader_a.user)
    resp = _json(leader, f"/api/v1/orders/{order.pk}/accept", {"member_ids": [world.member_a.pk]})
    assert resp.status_code == 200
    a = OrderAssignment.objects.get(order=order)
    assert a.status == AssignmentStatus.INVITED
    # Nobody confirmed yet: the service cannot start.
    resp = _json(leader, f"/api/v1/orders/{order.pk}/start")
    assert resp.status_code == 409 and resp.json()["code"] == "not_enough_confirmed"
    assert "李队员" in resp.json()["detail"]  # who has not answered
    # The member sees the order and confirms for themself.
    member = api_as(world.member_a.user)
    detail = member.get(f"/api/v1/orders/{order.pk}").json()
    assert "member_confirm" in detail["allowed_actions"]
    assert _json(member, f"/api/v1/orders/{order.pk}/confirm").status_code == 200
    assert _json(member, f"/api/v1/orders/{order.pk}/confirm").status_code == 409
    # Someone else cannot confirm on their behalf.
    assert (
        _json(api_as(world.leader_b.user), f"/api/v1/orders/{order.pk}/confirm").status_code == 404
    )
    resp = _json(leader, f"/api/v1/orders/{order.pk}/start")
    assert resp.status_code == 200 and resp.json()["state"] == OrderState.IN_SERVICE
    a.refresh_from_db()
    assert a.status == AssignmentStatus.CONFIRMED and a.checked_in_at is not None


def test_a_member_may_decline_and_is_not_assigned(world, build, api_as):
    order = build(OrderState.DISPATCHED)
    _json(
        api_as(world.leader_a.user),
        f"/api/v1/orders/{order.pk}/accept",
        {"member_ids": [world.member_a.pk]},
    )
    assert (
        _json(api_as(world.member_a.user), f"/api/v1/orders/{order.pk}/member-decline").status_code
        == 200
    )
    assert OrderAssignment.objects.get(order=order).status == AssignmentStatus.DECLINED


def test_leader_naming_themself_is_confirmed(world, build, api_as):
    order = build(OrderState.DISPATCHED)
    resp = _json(
        api_as(world.leader_a.user),
        f"/api/v1/orders/{order.pk}/accept",
        {"member_ids": [world.leader_a.pk]},
    )
    assert resp.status_code == 200
    assert OrderAssignment.objects.get(order=order).status == AssignmentStatus.CONFIRMED


def test_only_active_members_of_the_team_can_be_named(world, build, api_as):
    order = build(OrderState.DISPATCHED)
    resp = _json(
        api_as(world.leader_a.user),
        f"/api/v1/orders/{order.pk}/accept",
        {"member_ids": [world.leader_b.pk]},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "not_team_member"
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED  # nothing half-done


def test_minors_are_never_put_on_risky_work(world, build, api_as):
    Project.objects.filter(pk=world.project.pk).update(is_risky=True)
    order = build(OrderState.DISPATCHED)
    resp = _json(
        api_as(world.leader_a.user),
        f"/api/v1/orders/{order.pk}/accept",
        {"member_ids": [world.minor_a.pk]},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "minor_not_allowed"
    assert "小明" in resp.json()["detail"]
    assert not OrderAssignment.objects.filter(order=order).exists()


def test_minors_never_on_emergency_orders(world, build, api_as):
    order = build(OrderState.DISPATCHED, project=None, category="emergency")
    resp = _json(
        api_as(world.leader_a.user),
        f"/api/v1/orders/{order.pk}/accept",
        {"member_ids": [world.minor_a.pk]},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "minor_not_allowed"


def test_minors_may_join_ordinary_work(world, build, api_as):
    order = build(OrderState.DISPATCHED)
    resp = _json(
        api_as(world.leader_a.user),
        f"/api/v1/orders/{order.pk}/accept",
        {"member_ids": [world.minor_a.pk]},
    )
    assert resp.status_code == 200


def test_complete_with_report_and_photos_credits_hours(world, build, api_as):
    order = build(OrderState.IN_SERVICE, dispatched_at=timezone.now() - timedelta(hours=3))
    resp = api_as(world.leader_a.user).post(
        f"/api/v1/orders/{order.pk}/complete",
        {
            "report": "为 12 位老人测了血压、血糖",
            "people_served": "12",
            "photos": [_png(), _png("b.png")],
            "member_hours": json.dumps(
                [{"volunteer_id": world.member_a.pk, "hours": "1.5", "reason": "忘记按开始"}]
            ),
        },
    )
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["state"] == OrderState.COMPLETED and data["people_served"] == 12
    assert len(data["photos"]) == 2 and data["photos"][0].startswith("/media/orders/")
    assert OrderPhoto.objects.filter(order=order).count() == 2
    a = OrderAssignment.objects.get(order=order)
    assert a.checked_out_at is not None and a.service_record is not None
    record = ServiceRecord.objects.get(pk=a.service_record_id)
    assert record.hours == Decimal("1.50") and data["assignments"][0]["hours"] == "1.50"
    assert record.source_type == "order" and record.source_id == order.pk
    assert record.volunteer == world.member_a and record.team == world.team_a
    world.project.refresh_from_db()
    assert world.project.orders_completed == 1 and world.project.outcome_count == 12
    order.refresh_from_db()
    assert order.rate_due_at == order.due_at


@pytest.mark.parametrize(
    "upload,code",
    [
        (SimpleUploadedFile("x.png", b"not an image", content_type="image/png"), "photo_invalid"),
        (
            SimpleUploadedFile(
                "x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"
            ),
            None,
        ),
    ],
)
def test_photos_are_checked_by_content(world, build, api_as, upload, code):
    order = build(OrderState.IN_SERVICE)
    resp = api_as(world.leader_a.user).post(
        f"/api/v1/orders/{order.pk}/complete", {"report": "完成", "photos": [upload]}
    )
    assert resp.status_code == 400
    if code:
        assert resp.json()["code"] == code
    assert resp.json()["detail"]
    order.refresh_from_db()
    assert order.state == OrderState.IN_SERVICE
    assert not OrderPhoto.objects.exists()


def test_photo_size_limit(world, build):
    from xinfeng.orders.services import serve

    order = build(OrderState.IN_SERVICE)
    big = _png()
    big.size = serve.MAX_PHOTO_BYTES + 1
    with pytest.raises(ValidationFailed) as exc:
        serve.validate_photo(big)
    assert exc.value.code == "photo_too_large"
    assert order.state == OrderState.IN_SERVICE


def test_complete_needs_a_report(world, build, api_as):
    order = build(OrderState.IN_SERVICE)
    resp = api_as(world.leader_a.user).post(f"/api/v1/orders/{order.pk}/complete", {"report": " "})
    assert resp.status_code == 400 and resp.json()["code"] == "report_required"


def test_unknown_age_counts_as_a_minor_on_risky_work(world, build, api_as):
    Project.objects.filter(pk=world.project.pk).update(is_risky=True)
    world.member_a.birth_date = None
    world.member_a.save()
    order = build(OrderState.DISPATCHED)
    resp = _json(
        api_as(world.leader_a.user),
        f"/api/v1/orders/{order.pk}/accept",
        {"member_ids": [world.member_a.pk]},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "minor_not_allowed"


def test_a_standby_team_makes_the_work_risky(world, build, api_as):
    world.team_a.standby_24h = True
    world.team_a.save()
    order = build(OrderState.DISPATCHED)
    resp = _json(
        api_as(world.leader_a.user),
        f"/api/v1/orders/{order.pk}/accept",
        {"member_ids": [world.minor_a.pk]},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "minor_not_allowed"


def test_check_out_creates_the_service_record_and_its_points(world, build, api_as):
    from datetime import timedelta

    from django.utils import timezone

    from xinfeng.volunteers.models import PointsEntry, Volunteer

    two_hours_ago = timezone.now() - timedelta(hours=2)
    order = build(OrderState.IN_SERVICE, dispatched_at=two_hours_ago)
    OrderAssignment.objects.filter(order=order).update(checked_in_at=two_hours_ago)
    leader = api_as(world.leader_a.user)
    (row,) = leader.get(f"/api/v1/orders/{order.pk}/hours").json()
    assert Decimal("1.99") <= Decimal(row["default"]) <= Decimal("2.01")
    resp = leader.post(
        f"/api/v1/orders/{order.pk}/complete",
        {
            "report": "陪老人去镇卫生院复查",
            "member_hours": json.dumps(
                [{"volunteer_id": world.member_a.pk, "hours": row["default"]}]
            ),
        },
    )
    assert resp.status_code == 200, resp.content
    a = OrderAssignment.objects.get(order=order)
    record = ServiceRecord.objects.get(pk=a.service_record_id)
    assert record.started_at == two_hours_ago and record.ended_at == a.checked_out_at
    assert 1.9 <= float(record.hours) <= 2.1
    entry = PointsEntry.objects.get(service_record=record)
    assert entry.volunteer == world.member_a and entry.kind == "earn" and entry.delta > 0
    volunteer = Volunteer.objects.get(pk=world.member_a.pk)
    assert volunteer.points_balance == entry.balance_after == entry.delta
    assert float(volunteer.total_hours) == float(record.hours)
    # The check-in and check-out show on the member's row of the order.
    row = resp.json()["assignments"][0]
    assert row["checked_in_at"] and row["checked_out_at"]


def test_an_oversized_photo_upload_is_a_clear_400(world, build, api_as):
    from xinfeng.orders.services import serve

    order = build(OrderState.IN_SERVICE)
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff" + b"0" * serve.MAX_PHOTO_BYTES, content_type="image/jpeg"
    )
    resp = api_as(world.leader_a.user).post(
        f"/api/v1/orders/{order.pk}/complete", {"report": "完成", "photos": [big]}
    )
    assert resp.status_code == 400 and resp.json()["code"] == "photo_too_large"
    assert "5 MB" in resp.json()["detail"]
    order.refresh_from_db()
    assert order.state == OrderState.IN_SERVICE and not OrderPhoto.objects.exists()


def test_too_many_photos_are_refused(world, build, api_as):
    order = build(OrderState.IN_SERVICE)
    resp = api_as(world.leader_a.user).post(
        f"/api/v1/orders/{order.pk}/complete",
        {"report": "完成", "photos": [_png(f"{i}.png") for i in range(10)]},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "too_many_photos"
    assert not OrderPhoto.objects.exists()


def test_the_complete_page_shows_a_bad_photo_as_a_message(client, world, build):
    order = build(OrderState.IN_SERVICE)
    client.force_login(world.leader_a.user)
    bad = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    resp = client.post(f"/orders/{order.pk}/complete/", {"report": "完成", "photos": bad})
    # The form comes back with the reason and what was typed (not a redirect).
    assert resp.status_code == 400
    assert "不是有效的图片" in resp.content.decode() and "完成" in resp.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.IN_SERVICE and not OrderPhoto.objects.exists()
    resp = client.post(f"/orders/{order.pk}/complete/", {"report": ""}, follow=True)
    assert "请填写服务报告" in resp.content.decode()
