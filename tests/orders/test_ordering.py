"""Ordering (点单): by a resident, by staff for a resident, pushed down by a site (制单);
idempotency; review; who sees a rejected order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfeng.orders.choices import OrderChannel, OrderState
from xinfeng.orders.models import Order, OrderEvent
from xinfeng.projects.choices import ProjectStatus

pytestmark = pytest.mark.django_db


def _post(client, body, **headers):
    return client.post("/api/v1/orders/", body, content_type="application/json", **headers)


def test_resident_orders_a_project_and_the_station_is_responsible(world, api_as):
    when = (timezone.now() + timedelta(days=2)).isoformat()
    resp = _post(
        api_as(world.resident),
        {
            "project_id": world.project.pk,
            "region_id": world.tree.v1.pk,
            "address": "水口村 3 组 12 号",
            "latitude": 29.25,
            "longitude": 115.8,
            "wanted_from": when,
            "description": "家里两位老人想量血压",
        },
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["state"] == "submitted" and data["state_label"] == "待审核"
    assert data["title"] == "白衣天使乡村行"
    assert data["site_id"] == world.tree.st1.pk
    order = Order.objects.get(pk=data["id"])
    assert order.requester == world.resident and order.channel == OrderChannel.RESIDENT
    assert order.review_due_at == order.due_at == order.submitted_at + world.project.review_within
    assert OrderEvent.objects.filter(order=order, action="submit").count() == 1


def test_free_text_order_goes_to_the_deepest_site_covering_the_place(world, api_as):
    resp = _post(
        api_as(world.resident),
        {"title": "屋顶漏水需要帮忙", "region_id": world.tree.v1.pk, "category": "everyday_help"},
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["site_id"] == world.tree.st1.pk


@pytest.mark.parametrize(
    "body,code",
    [
        ({}, "title_required"),
        ({"title": "x", "latitude": 29.0}, "invalid_location"),
        ({"title": "x", "wanted_from": "2020-01-01T08:00:00+08:00"}, "invalid_time"),
    ],
)
def test_bad_orders_get_a_clear_400(world, api_as, body, code):
    body = {"region_id": world.tree.v1.pk, **body}
    resp = _post(api_as(world.resident), body)
    assert resp.status_code == 400
    assert resp.json()["code"] == code and resp.json()["detail"]


def test_unknown_region_is_404_and_malformed_input_422(world, api_as):
    assert _post(api_as(world.resident), {"title": "x", "region_id": 999999}).status_code == 404
    resp = _post(api_as(world.resident), {"title": "x", "region_id": "abc"})
    assert resp.status_code == 422 and resp.json()["code"]


def test_a_project_not_on_the_menu_cannot_be_ordered(world, api_as):
    world.project.status = ProjectStatus.DECLARED
    world.project.save()
    resp = _post(
        api_as(world.resident), {"project_id": world.project.pk, "region_id": world.tree.v1.pk}
    )
    assert resp.status_code == 400 and resp.json()["code"] == "not_orderable"


def test_a_project_cannot_be_ordered_outside_its_area(world, api_as):
    resp = _post(
        api_as(world.resident), {"project_id": world.project.pk, "region_id": world.tree.v2.pk}
    )
    assert resp.status_code == 400 and resp.json()["code"] == "not_orderable"


def test_idempotency_key_returns_the_first_order(world, api_as):
    client = api_as(world.resident)
    body = {"title": "送药上门", "region_id": world.tree.v1.pk}
    first = _post(client, body, HTTP_IDEMPOTENCY_KEY="k-123")
    again = _post(client, body, HTTP_IDEMPOTENCY_KEY="k-123")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Order.objects.count() == 1
    # Another user's identical key is theirs alone.
    other = _post(api_as(world.stranger), body, HTTP_IDEMPOTENCY_KEY="k-123")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


def test_staff_order_on_behalf_of_a_resident(world, api_as):
    resp = _post(
        api_as(world.operator),
        {
            "title": "电话点单：理发",
            "region_id": world.tree.v1.pk,
            "channel": "proxy",
            "on_behalf_of_id": world.resident.pk,
        },
    )
    assert resp.status_code == 201, resp.content
    order = Order.objects.get(pk=resp.json()["id"])
    assert order.requester == world.resident and order.created_by == world.operator
    assert order.channel == OrderChannel.PROXY
    # The resident sees it among their own orders.
    mine = api_as(world.resident).get("/api/v1/orders/?mine=true").json()["items"]
    assert [o["id"] for o in mine] == [order.pk]


def test_only_staff_of_the_area_may_order_for_others(world, api_as):
    body = {"title": "代点单", "region_id": world.tree.v1.pk, "channel": "proxy"}
    assert _post(api_as(world.resident), body).status_code == 403
    assert _post(api_as(world.outsider), body).status_code == 403


def test_site_pushes_an_order_down_open_for_grabbing(world, api_as):
    resp = _post(
        api_as(world.operator),
        {
            "title": "村里环境整治",
            "region_id": world.tree.v1.pk,
            "channel": "site",
            "site_id": world.tree.st1.pk,
            "open_for_grab": True,
            "category": "environment",
        },
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["state"] == OrderState.PENDING_DISPATCH and data["is_open"] is True
    # A leader whose team covers the village sees it among open orders.
    items = api_as(world.leader_b.user).get("/api/v1/orders/?open=true").json()["items"]
    assert [o["id"] for o in items] == [data["id"]]
    # A leader elsewhere does not.
    assert api_as(world.leader_c.user).get("/api/v1/orders/?open=true").json()["items"] == []


def test_rejected_order_is_seen_by_its_creator_and_staff_only(world, build, api_as):
    order = build(OrderState.SUBMITTED)
    resp = api_as(world.operator).post(
        f"/api/v1/orders/{order.pk}/reject",
        {"reason": "不属于志愿服务范围"},
        content_type="application/json",
    )
    assert resp.status_code == 200
    assert api_as(world.resident).get(f"/api/v1/orders/{order.pk}").status_code == 200
    assert api_as(world.operator).get(f"/api/v1/orders/{order.pk}").status_code == 200
    for other in (world.stranger, world.leader_a.user, world.member_a.user, world.outsider):
        assert api_as(other).get(f"/api/v1/orders/{order.pk}").status_code == 404
    events = api_as(world.resident).get(f"/api/v1/orders/{order.pk}/events").json()["items"]
    assert events[-1]["action"] == "reject" and events[-1]["reason"] == "不属于志愿服务范围"


def test_reject_needs_a_reason(world, build, api_as):
    order = build(OrderState.SUBMITTED)
    resp = api_as(world.operator).post(
        f"/api/v1/orders/{order.pk}/reject", {"reason": "  "}, content_type="application/json"
    )
    assert resp.status_code == 400 and resp.json()["code"] == "reason_required"


def test_dispatch_records_the_reason_and_score(world, build, api_as):
    from xinfeng.orders.services import order_dispatch

    order = build(OrderState.PENDING_DISPATCH)
    order_dispatch(
        actor=world.operator, order=order, team=world.team_a, reason="距离最近", score={"cost": 3.2}
    )
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED
    assert order.dispatch_reason == "距离最近" and order.dispatch_score == {"cost": 3.2}
    e = OrderEvent.objects.get(order=order, action="dispatch")
    assert e.reason == "距离最近" and e.team == world.team_a and e.detail["score"] == {"cost": 3.2}
    assert order.accept_due_at == order.due_at


def test_dispatch_to_a_full_team_is_refused(world, build, api_as):
    for _ in range(world.team_a.capacity):
        build(OrderState.ACCEPTED)
    order = build(OrderState.PENDING_DISPATCH)
    resp = api_as(world.operator).post(
        f"/api/v1/orders/{order.pk}/dispatch",
        {"team_id": world.team_a.pk, "reason": "就近"},
        content_type="application/json",
    )
    assert resp.status_code == 409 and resp.json()["code"] == "team_full"


def test_dispatch_stays_inside_the_county_unless_the_project_names_the_team(world, build, api_as):
    from tests.factories import RegionFactory, SiteFactory, TeamFactory
    from xinfeng.places.choices import SiteLevel
    from xinfeng.regions.choices import RegionLevel

    far_county = RegionFactory(name="德安县", code="360426000000", level=RegionLevel.COUNTY)
    far_center = SiteFactory(name="德安县实践中心", level=SiteLevel.CENTER, region=far_county)
    far = TeamFactory(
        name="德安县志愿服务队", region=far_county, home_site=far_center, service_categories=[]
    )
    order = build(OrderState.PENDING_DISPATCH)
    url = f"/api/v1/orders/{order.pk}/dispatch"
    body = {"team_id": far.pk, "reason": "人手足"}
    resp = api_as(world.operator).post(url, body, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["code"] == "team_not_eligible"
    assert "德安县志愿服务队" in resp.json()["detail"]
    order.refresh_from_db()
    assert order.state == OrderState.PENDING_DISPATCH and order.team is None
    # A team of another township of the same city is fine…
    body["team_id"] = world.team_c.pk
    resp = api_as(world.operator).post(url, body, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["team_id"] == world.team_c.pk
    # …and so is a far team the order's project names.
    world.project.teams.add(far)
    other = build(OrderState.PENDING_DISPATCH)
    resp = api_as(world.operator).post(
        f"/api/v1/orders/{other.pk}/dispatch",
        {"team_id": far.pk, "reason": "项目承接队伍"},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content


def test_decline_sends_the_order_back_with_the_reason(world, build, api_as):
    order = build(OrderState.DISPATCHED)
    resp = api_as(world.leader_a.user).post(
        f"/api/v1/orders/{order.pk}/decline",
        {"reason": "本周人手不足"},
        content_type="application/json",
    )
    assert resp.status_code == 200
    order.refresh_from_db()
    assert order.state == OrderState.PENDING_DISPATCH and order.team is None
    # The team no longer sees it.
    assert api_as(world.member_a.user).get(f"/api/v1/orders/{order.pk}").status_code == 404


def test_a_team_that_does_not_serve_the_area_cannot_grab(world, build, api_as):
    order = build(OrderState.PENDING_DISPATCH, is_open=True)
    # Team C (江益镇) leader: the order is outside their area: not even visible.
    resp = api_as(world.leader_c.user).post(
        f"/api/v1/orders/{order.pk}/grab",
        {"team_id": world.team_c.pk},
        content_type="application/json",
    )
    assert resp.status_code == 404
    # A leader may only grab for a team they lead.
    resp = api_as(world.leader_b.user).post(
        f"/api/v1/orders/{order.pk}/grab",
        {"team_id": world.team_a.pk},
        content_type="application/json",
    )
    assert resp.status_code == 403


def test_suggestions_api_ranks_teams_with_components(world, build, api_as):
    order = build(OrderState.PENDING_DISPATCH)
    data = api_as(world.operator).get(f"/api/v1/orders/{order.pk}/suggestions").json()
    assert data[0]["rank"] == 1 and data[0]["reason"]
    assert {c["name"] for c in data[0]["components"]} >= {"distance", "category", "load"}
    assert [d["total"] for d in data] == sorted(d["total"] for d in data)
    assert (
        api_as(world.leader_a.user).get(f"/api/v1/orders/{order.pk}/suggestions").status_code == 404
    )
    assert api_as(world.resident).get(f"/api/v1/orders/{order.pk}/suggestions").status_code == 403


def test_auto_dispatch_api_is_for_staff(world, build, api_as):
    build(OrderState.PENDING_DISPATCH)
    resp = api_as(world.operator).post("/api/v1/orders/auto-dispatch")
    assert resp.status_code == 200 and len(resp.json()["dispatched"]) == 1
    assert api_as(world.resident).post("/api/v1/orders/auto-dispatch").status_code == 403


def test_opening_an_order_tells_the_leaders_who_may_grab_it(
    world, build, django_capture_on_commit_callbacks
):
    from xinfeng.notifications.models import Notification
    from xinfeng.orders.services import order_open_for_grab

    order = build(OrderState.PENDING_DISPATCH)
    with django_capture_on_commit_callbacks(execute=True):
        order_open_for_grab(actor=world.operator, order=order)
    told = set(
        Notification.objects.filter(kind="order_open").values_list("recipient__username", flat=True)
    )
    assert told == {"leader_a", "leader_b"}  # team C (江益镇) is elsewhere
