"""Order lists: scoped, keyset-paginated, and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfeng.orders.choices import OrderState

pytestmark = pytest.mark.django_db


def _count(client, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, resp.content
    return len(ctx.captured_queries), resp.json()


@pytest.mark.parametrize("who", ["resident", "operator", "leader"])
def test_list_query_count_does_not_grow_with_the_page(world, build, api_as, who):
    user = {"resident": world.resident, "operator": world.operator, "leader": world.leader_a.user}[
        who
    ]
    client = api_as(user)
    client.get("/api/v1/orders/")  # the token's first use is recorded once
    for _ in range(2):
        build(OrderState.ACCEPTED)
    small, data_small = _count(client, "/api/v1/orders/?limit=50")
    for state in (
        OrderState.SUBMITTED,
        OrderState.DISPATCHED,
        OrderState.IN_SERVICE,
        OrderState.RATED,
    ) * 5:
        build(state)
    large, data_large = _count(client, "/api/v1/orders/?limit=50")
    assert len(data_large["items"]) > len(data_small["items"])
    assert large == small


def test_keyset_pages_cover_every_order_once(world, build, api_as):
    ids = {build(OrderState.SUBMITTED).pk for _ in range(7)}
    client = api_as(world.operator)
    seen, cursor = [], None
    while True:
        url = "/api/v1/orders/?limit=3" + (f"&cursor={cursor}" if cursor else "")
        data = client.get(url).json()
        seen += [o["id"] for o in data["items"]]
        cursor = data["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(ids, reverse=True)


def test_a_bad_cursor_is_400_and_an_absurd_limit_422(world, api_as):
    client = api_as(world.operator)
    assert client.get("/api/v1/orders/?cursor=zzz").status_code == 400
    # Page sizes are typed (core.schema.Limit): out of bounds is refused before any query.
    resp = client.get("/api/v1/orders/?limit=0")
    assert resp.status_code == 422 and resp.json()["detail"]


def test_lists_are_scoped(world, build, api_as):
    order = build(OrderState.SUBMITTED)
    assert [o["id"] for o in api_as(world.operator).get("/api/v1/orders/").json()["items"]] == [
        order.pk
    ]
    assert api_as(world.outsider).get("/api/v1/orders/").json()["items"] == []
    assert api_as(world.stranger).get("/api/v1/orders/").json()["items"] == []
    assert api_as(world.leader_a.user).get("/api/v1/orders/").json()["items"] == []
    assert api_as(world.outsider).get(f"/api/v1/orders/{order.pk}").status_code == 404


def test_list_masks_contact_details(world, build, api_as):
    build(OrderState.SUBMITTED)
    item = api_as(world.operator).get("/api/v1/orders/").json()["items"][0]
    assert item["contact_phone"] == "138****0001"
    assert item["contact_name"] == "王*兰"


def test_list_rows_name_their_place_team_and_state_in_the_callers_language(world, build, api_as):
    order = build(OrderState.DISPATCHED)
    api = api_as(world.operator)
    item = api.get("/api/v1/orders/").json()["items"][0]
    assert item["id"] == order.pk and item["state"] == "dispatched"
    assert item["state_label"] == str(OrderState.DISPATCHED.label)
    assert item["region_name"] == order.region.name and item["site_name"] == order.site.name
    assert item["team_id"] == order.team_id and item["team_name"] == order.team.name
    english = api.get("/api/v1/orders/", HTTP_ACCEPT_LANGUAGE="en").json()["items"][0]
    assert english["state_label"] != item["state_label"] and english["state_label"].isascii()


def test_anonymous_callers_cannot_list_or_order(world, client):
    assert client.get("/api/v1/orders/").status_code == 401
    resp = client.post(
        "/api/v1/orders/",
        {"title": "x", "region_id": world.tree.v1.pk},
        content_type="application/json",
    )
    assert resp.status_code in (401, 403)


def test_timeline_lists_every_step_with_actor_and_reason(world, build, api_as):
    from xinfeng.orders import services

    order = build(OrderState.SUBMITTED)
    services.order_approve(actor=world.operator, order=order)
    services.order_dispatch(actor=world.operator, order=order, team=world.team_a, reason="就近")
    services.order_accept(actor=world.leader_a.user, order=order, members=[world.member_a])
    events = api_as(world.resident).get(f"/api/v1/orders/{order.pk}/events").json()["items"]
    assert [e["action"] for e in events] == ["approve", "dispatch", "accept"]
    assert events[1]["reason"] == "就近" and events[1]["team_name"] == world.team_a.name
    assert events[0]["actor_name"] == world.operator.name


def test_the_timeline_is_for_those_entitled_only(world, build, api_as, client):
    from xinfeng.orders import services

    order = build(OrderState.SUBMITTED)
    services.order_approve(actor=world.operator, order=order, reason="符合条件")
    services.order_dispatch(actor=world.operator, order=order, team=world.team_a, reason="就近")
    url = f"/api/v1/orders/{order.pk}/events"
    # The requester, the site's staff and the dispatched team's people see every step.
    for user in (world.resident, world.operator, world.upper, world.leader_a.user):
        items = api_as(user).get(url).json()["items"]
        assert [e["action"] for e in items] == ["approve", "dispatch"], user
    # Everybody else: as if the order did not exist, in the API and on the page.
    for user in (world.stranger, world.outsider, world.leader_b.user, world.leader_c.user):
        resp = api_as(user).get(url)
        assert resp.status_code == 404 and resp.json()["code"], user
        client.force_login(user)
        assert client.get(f"/orders/{order.pk}/").status_code == 404, user
    client.logout()
    assert client.get(url).status_code == 401


def test_a_leader_pages_through_orders_seen_for_every_reason_once_newest_first(
    world, build, api_as
):
    """A team leader sees orders for several reasons at once (own, the team's, named for,
    open nearby); the list merges them newest first, each once, across small pages."""
    from django.db.models import Q

    from xinfeng.orders.models import Order

    leader = world.leader_a.user
    build(OrderState.SUBMITTED)  # the resident's: not the leader's business
    build(OrderState.DISPATCHED)  # team A's
    build(OrderState.SUBMITTED, requester=leader, created_by=leader)  # own
    build(OrderState.PENDING_DISPATCH, is_open=True)  # open in team A's village
    build(OrderState.ACCEPTED)  # team A's, a member named
    build(OrderState.DISPATCHED, team=world.team_b)  # another team's
    build(OrderState.PENDING_DISPATCH, is_open=True, region=world.tree.v2)  # open elsewhere
    build(OrderState.RATED)  # team A's
    build(OrderState.SUBMITTED, created_by=leader)  # entered by the leader for the resident
    expected = list(
        Order.objects.filter(
            Q(requester=leader)
            | Q(created_by=leader)
            | Q(team=world.team_a)
            | Q(state=OrderState.PENDING_DISPATCH, is_open=True, region=world.tree.v1)
        )
        .order_by("-id")
        .values_list("id", flat=True)
    )
    assert len(expected) == 6
    client = api_as(leader)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/orders/?limit=2" + (f"&cursor={cursor}" if cursor else "")
        data = client.get(url).json()
        seen += [o["id"] for o in data["items"]]
        pages += 1
        cursor = data["next_cursor"]
        if not cursor:
            break
    assert seen == expected and pages == 3
    # Filters apply to every reason alike.
    submitted = client.get("/api/v1/orders/?state=submitted").json()["items"]
    assert [o["id"] for o in submitted] == [
        i for i in expected if Order.objects.get(pk=i).state == OrderState.SUBMITTED
    ]
