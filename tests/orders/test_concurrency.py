"""Real concurrency on PostgreSQL: many team leaders grab (抢单) the same open order at
the same moment over HTTP against a live server (one thread and one database connection
per request). Exactly one wins; every other one gets 409; the log holds one acceptance.

These tests can fail: without the row lock in the services two grabs both read
``pending_dispatch`` and both write ``accepted``.
"""

import threading
from collections import Counter

import pytest
import requests

from xinfeng.accounts.models import ApiToken
from xinfeng.orders.choices import OrderAction, OrderState
from xinfeng.orders.models import Order, OrderAssignment, OrderEvent

from ..factories import TeamFactory, UserFactory, VolunteerFactory, join

N_TEAMS = 12


def _fire(url: str, calls: list[tuple[str, dict]], headers=None) -> list[requests.Response]:
    """POST every (token, body) at once: all threads wait at a barrier, then go."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, token, body):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        session.headers.update(headers or {})
        barrier.wait()
        try:
            results[i] = session.post(url, json=body, timeout=60)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[i] = exc

    threads = [
        threading.Thread(target=run, args=(i, token, body)) for i, (token, body) in enumerate(calls)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return results


@pytest.fixture
def teams(world):
    """N eligible teams at 水口村, each with its own leader and one member."""
    out = []
    for i in range(N_TEAMS):
        team = TeamFactory(
            name=f"抢单队{i}",
            home_site=world.tree.st1,
            region=world.tree.v1,
            service_categories=["health"],
        )
        leader = VolunteerFactory(
            home_region=world.tree.v1, user=UserFactory(username=f"grab_leader{i}")
        )
        member = VolunteerFactory(home_region=world.tree.v1, with_user=True)
        join(team, leader, leader=True)
        join(team, member)
        _t, raw = ApiToken.issue(user=leader.user, name="test")
        out.append((team, member, raw))
    return out


def test_many_teams_grab_one_order_exactly_one_wins(
    postgres_only, live_server, world, build, teams
):
    order = build(OrderState.PENDING_DISPATCH, is_open=True)
    url = f"{live_server.url}/api/v1/orders/{order.pk}/grab"
    calls = [(raw, {"team_id": team.pk, "member_ids": [member.pk]}) for team, member, raw in teams]

    results = _fire(url, calls)

    statuses = Counter(getattr(r, "status_code", repr(r)) for r in results)
    assert statuses == Counter({200: 1, 409: N_TEAMS - 1}), statuses
    winner = next(r for r in results if r.status_code == 200).json()
    losers = [r.json() for r in results if r.status_code == 409]
    assert all(body["code"] == "invalid_state" and body["detail"] for body in losers)
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED
    assert order.team_id == winner["team_id"]
    assert OrderEvent.objects.filter(order=order, action=OrderAction.GRAB).count() == 1
    # Only the winning team's member was named.
    assert OrderAssignment.objects.filter(order=order).count() == 1


def test_a_double_tapped_accept_is_accepted_once(postgres_only, live_server, world, build):
    order = build(OrderState.DISPATCHED)
    _t, raw = ApiToken.issue(user=world.leader_a.user, name="test")
    url = f"{live_server.url}/api/v1/orders/{order.pk}/accept"
    body = {"member_ids": [world.member_a.pk]}

    results = _fire(url, [(raw, body)] * 8)

    statuses = Counter(getattr(r, "status_code", repr(r)) for r in results)
    assert statuses == Counter({200: 1, 409: 7}), statuses
    assert OrderEvent.objects.filter(order=order, action=OrderAction.ACCEPT).count() == 1
    assert Order.objects.get(pk=order.pk).state == OrderState.ACCEPTED
    assert OrderAssignment.objects.filter(order=order).count() == 1


def test_dispatch_respects_capacity_under_concurrent_grabs(
    postgres_only, live_server, world, build
):
    """One team with room for one more order, many open orders grabbed at once by it
    (its leader on several phones): the capacity check holds under the team lock."""
    team, member, raw = _one_team_with_room_for(world, 1)
    orders = [build(OrderState.PENDING_DISPATCH, is_open=True) for _ in range(6)]
    calls = [(raw, {"team_id": team.pk, "member_ids": [member.pk]}) for _ in orders]
    results = []
    barrier_calls = [
        (f"{live_server.url}/api/v1/orders/{o.pk}/grab", c)
        for o, c in zip(orders, calls, strict=True)
    ]
    barrier = threading.Barrier(len(barrier_calls))
    lock = threading.Lock()

    def run(url, call):
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {call[0]}"
        barrier.wait()
        r = s.post(url, json=call[1], timeout=60)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=run, args=bc) for bc in barrier_calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    statuses = Counter(r.status_code for r in results)
    assert statuses == Counter({200: 1, 409: 5}), statuses
    assert all(r.json()["code"] == "team_full" for r in results if r.status_code == 409)
    assert Order.objects.filter(team=team, state=OrderState.ACCEPTED).count() == 1


def _one_team_with_room_for(world, n: int):
    team = TeamFactory(
        name="小队",
        home_site=world.tree.st1,
        region=world.tree.v1,
        capacity=n,
        service_categories=["health"],
    )
    leader = VolunteerFactory(home_region=world.tree.v1, user=UserFactory(username="cap_leader"))
    member = VolunteerFactory(home_region=world.tree.v1, with_user=True)
    join(team, leader, leader=True)
    join(team, member)
    _t, raw = ApiToken.issue(user=leader.user, name="test")
    return team, member, raw


def test_repeats_of_one_order_racing_make_one_order(postgres_only, live_server, world):
    """A phone on a bad line sends the same order several times at once: the idempotency
    key makes it one order (one 201, the rest 200 with the same order), one submit event."""
    _t, raw = ApiToken.issue(user=world.resident, name="test")
    body = {"title": "屋顶漏水需要帮忙", "region_id": world.tree.v1.pk}
    results = _fire(
        f"{live_server.url}/api/v1/orders/",
        [(raw, body)] * 8,
        headers={"Idempotency-Key": "phone-retry-42"},
    )
    statuses = Counter(getattr(r, "status_code", repr(r)) for r in results)
    assert statuses == Counter({201: 1, 200: 7}), statuses
    assert len({r.json()["id"] for r in results}) == 1
    assert Order.objects.count() == 1
    assert OrderEvent.objects.filter(action=OrderAction.SUBMIT).count() == 1
