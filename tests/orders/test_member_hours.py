"""Issue 11 on orders: the leader names members from a search (free and skilled first), the
order cannot start until as many as it needs confirmed (the leader sees who has not
answered), and on completion the leader confirms each member's hours — within bounds,
with a reason when far from the default, 0 for "did not serve" — never a 0-hour record."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.orders.factories import VolunteerFactory, join
from xinfeng.orders.choices import AssignmentStatus, OrderState
from xinfeng.orders.models import OrderAssignment
from xinfeng.volunteers.models import PointsEntry, ServiceRecord

pytestmark = pytest.mark.django_db


def _json(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def crew(world):
    """Two more adult members of team A: a nurse (skilled for a health order) who is free,
    and a driver who is named for another order at the same time."""
    nurse = VolunteerFactory(name="周护士", home_region=world.tree.v1, skills=["医护"])
    driver = VolunteerFactory(name="吴师傅", home_region=world.tree.v1, skills=["驾驶"])
    for v in (nurse, driver):
        join(world.team_a, v)
    return nurse, driver


def test_start_waits_until_enough_members_confirmed(world, build, api_as, crew):
    nurse, _driver = crew
    order = build(OrderState.DISPATCHED)
    leader = api_as(world.leader_a.user)
    resp = _json(
        leader,
        f"/api/v1/orders/{order.pk}/accept",
        {"member_ids": [world.member_a.pk, nurse.pk], "members_needed": 2},
    )
    assert resp.status_code == 200 and resp.json()["members_needed"] == 2
    _json(api_as(world.member_a.user), f"/api/v1/orders/{order.pk}/confirm")
    resp = _json(leader, f"/api/v1/orders/{order.pk}/start")
    assert resp.status_code == 409 and resp.json()["code"] == "not_enough_confirmed"
    assert "周护士" in resp.json()["detail"] and "李队员" not in resp.json()["detail"]
    OrderAssignment.objects.filter(order=order, volunteer=nurse).update(
        status=AssignmentStatus.CONFIRMED
    )
    resp = _json(leader, f"/api/v1/orders/{order.pk}/start")
    assert resp.status_code == 200 and resp.json()["state"] == OrderState.IN_SERVICE


def test_members_needed_is_bounded(world, build, api_as):
    order = build(OrderState.DISPATCHED)
    resp = _json(
        api_as(world.leader_a.user), f"/api/v1/orders/{order.pk}/accept", {"members_needed": 0}
    )
    assert resp.status_code in (400, 422)
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED


def test_candidates_put_the_free_and_skilled_first(world, build, api_as, crew):
    nurse, driver = crew
    other = build(OrderState.ACCEPTED)  # the driver is already named for this one
    OrderAssignment.objects.create(
        order=other, volunteer=driver, status=AssignmentStatus.CONFIRMED, invited_at=timezone.now()
    )
    order = build(OrderState.DISPATCHED)
    leader = api_as(world.leader_a.user)
    rows = leader.get(f"/api/v1/orders/{order.pk}/member-candidates").json()
    names = [r["volunteer_name"] for r in rows]
    assert names[0] == "周护士" and rows[0]["skills"] == ["医护"] and rows[0]["free"]
    busy = next(r for r in rows if r["volunteer_name"] == "吴师傅")
    assert not busy["free"] and busy["busy_order_id"] == other.pk
    # Busy members (the driver, and 李队员 who serves on the other order) come last.
    assert set(names[-2:]) == {"吴师傅", "李队员"}
    # Search by name; only leaders of the team may ask.
    rows = leader.get(f"/api/v1/orders/{order.pk}/member-candidates?q=吴").json()
    assert [r["volunteer_name"] for r in rows] == ["吴师傅"]
    resp = api_as(world.member_a.user).get(f"/api/v1/orders/{order.pk}/member-candidates")
    assert resp.status_code in (403, 404)


def test_the_accept_page_searches_members_instead_of_listing_them_all(client, world, build, crew):
    for i in range(40):
        join(world.team_a, VolunteerFactory(name=f"队员{i:02d}", home_region=world.tree.v1))
    order = build(OrderState.DISPATCHED)
    client.force_login(world.leader_a.user)
    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert html.count('name="members"') == 20  # the first 20, not all 45
    assert html.index("周护士") < html.index("队员00")  # skilled first
    frag = client.get(
        f"/orders/{order.pk}/members/pick/", {"q": "队员3", "members": [crew[0].pk]}
    ).content.decode()
    assert frag.count('name="members"') == 11  # the ticked nurse + 队员30…39
    assert f'value="{crew[0].pk}" checked' in frag
    client.force_login(world.member_a.user)
    assert client.get(f"/orders/{order.pk}/members/pick/").status_code == 404


@pytest.fixture
def serving(world, build):
    """An order in service for two hours, the member checked in when it started."""
    two_hours_ago = timezone.now() - timedelta(hours=2)
    order = build(
        OrderState.IN_SERVICE,
        dispatched_at=two_hours_ago - timedelta(hours=1),
        accepted_at=two_hours_ago,
        started_at=two_hours_ago,
    )
    OrderAssignment.objects.filter(order=order).update(checked_in_at=two_hours_ago)
    return order


def _complete(client, order, lines):
    return client.post(
        f"/api/v1/orders/{order.pk}/complete",
        {"report": "为老人量了血压", "member_hours": json.dumps(lines)},
    )


@pytest.mark.parametrize(
    "hours,reason,code",
    [
        ("0.2", "", "hours_below_minimum"),
        ("3.5", "路上也算", "hours_above_maximum"),
        ("1", "", "hours_reason_required"),
        ("-1", "", "invalid_member_hours"),
    ],
)
def test_confirmed_hours_are_checked(world, serving, api_as, hours, reason, code):
    resp = _complete(
        api_as(world.leader_a.user),
        serving,
        [{"volunteer_id": world.member_a.pk, "hours": hours, "reason": reason}],
    )
    assert resp.status_code == 400 and resp.json()["code"] == code, resp.content
    serving.refresh_from_db()
    assert serving.state == OrderState.IN_SERVICE and not ServiceRecord.objects.exists()


def test_every_serving_member_needs_a_figure(world, serving, api_as):
    leader = api_as(world.leader_a.user)
    resp = _complete(leader, serving, [])
    assert resp.status_code == 400 and resp.json()["code"] == "hours_required"
    resp = leader.post(
        f"/api/v1/orders/{serving.pk}/complete", {"report": "完成", "member_hours": "{oops"}
    )
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_member_hours"


def test_a_far_figure_with_a_reason_is_credited_and_recorded(world, serving, api_as):
    resp = _complete(
        api_as(world.leader_a.user),
        serving,
        [{"volunteer_id": world.member_a.pk, "hours": "1", "reason": "中途有事先走"}],
    )
    assert resp.status_code == 200, resp.content
    record = ServiceRecord.objects.get()
    assert record.hours == Decimal("1.00") and record.verification == "leader"
    assert record.ended_at - record.started_at >= timedelta(hours=1)
    event = serving.events.get(action="complete")
    assert event.detail["hours"][0]["reason"] == "中途有事先走"
    assert event.detail["hours"][0]["hours"] == "1.00"


def test_buttons_pressed_a_minute_apart_write_no_0_hour_record(world, build, api_as):
    """The reported case: 开始 and 完成 within a minute. The default is ~0; confirming it
    writes nothing (no record, no "0 · 服务获得" line); the real figure needs a reason."""
    order = build(OrderState.IN_SERVICE, dispatched_at=timezone.now() - timedelta(hours=3))
    leader = api_as(world.leader_a.user)
    (row,) = leader.get(f"/api/v1/orders/{order.pk}/hours").json()
    assert Decimal(row["default"]) < Decimal("0.05") and row["maximum"] != "0.00"
    resp = _complete(leader, order, [{"volunteer_id": world.member_a.pk, "hours": "2"}])
    assert resp.json()["code"] == "hours_reason_required"
    resp = _complete(leader, order, [{"volunteer_id": world.member_a.pk, "hours": "0"}])
    assert resp.status_code == 200, resp.content
    assert not ServiceRecord.objects.exists() and not PointsEntry.objects.exists()
    assert resp.json()["assignments"][0]["hours"] is None


def test_the_completion_form_keeps_what_was_typed_on_an_error(client, world, serving):
    client.force_login(world.leader_a.user)
    page = client.get(f"/orders/{serving.pk}/").content.decode()
    assert f'name="hours_{world.member_a.pk}"' in page
    resp = client.post(
        f"/orders/{serving.pk}/complete/",
        {
            "report": "量血压",
            f"hours_{world.member_a.pk}": "0.9",
            f"reason_{world.member_a.pk}": "",
        },
    )
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "相差较大" in html and 'value="0.9"' in html and "量血压" in html
    resp = client.post(
        f"/orders/{serving.pk}/complete/",
        {
            "report": "量血压",
            f"hours_{world.member_a.pk}": "0.9",
            f"reason_{world.member_a.pk}": "提前离开",
        },
    )
    assert resp.status_code == 302
    assert ServiceRecord.objects.get().hours == Decimal("0.90")


def test_the_forms_speak_english(client, world, build, serving, crew):
    order = build(OrderState.DISPATCHED)
    client.force_login(world.leader_a.user)
    client.cookies["django_language"] = "en"
    html = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How many members are needed" in html and "Free" in html
    assert "需要几名队员" not in html and "空闲" not in html
    html = client.get(f"/orders/{serving.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirm each member&#x27;s service hours" in html or "Confirm each member's" in html
    assert "确认每名队员的服务时长" not in html
