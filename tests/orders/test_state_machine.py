"""The order workflow (四单制) as the design writes it, move by move, pinned independently of
the code's own table (``orders.choices.TRANSITIONS`` is never read here).

The diagram and bullets of ../shared/docs/design.md, "The service-order workflow":

    submitted ──review──▶ pending_dispatch ──dispatch──▶ dispatched ──accept──▶ accepted
      │ reject(reason)        ▲   │ grab (open orders)          │ decline(reason) / timeout
      ▼                       │   └──────────────▶ accepted     ▼
   rejected                   └──────── back to pending_dispatch
    accepted ──start──▶ in_service ──complete(report)──▶ completed ──rate──▶ rated
    cancel: by the resident, any time before accepted.  auto-rate: no rating in time.
    Deadlines (review, dispatch, accept, start, rate): an overdue order escalates one level up.

``SPEC`` below is that diagram as literal data: for each move, who may make it and, for each
state it may start from, the state it leads to. Every other role × state × move is refused.
The tests cross it with every role and every state and run each cell through the real
services (``xinfeng.orders.services``); the API answers the same moves with 404 (outside
the user's view), 403 (not theirs), 409 (wrong state) or 200 and the new state; the
worker's table (``OVERDUE``) runs through ``handle_overdue``.
"""

import json
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import (
    RegionFactory,
    SiteFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
    grant,
    join,
)
from xinfeng.accounts.choices import Role
from xinfeng.core.errors import Conflict, DomainError, PermissionDenied
from xinfeng.orders import services
from xinfeng.orders.choices import OrderState
from xinfeng.orders.models import Order, OrderEvent
from xinfeng.orders.services.hours import HoursLine
from xinfeng.places.choices import SiteLevel
from xinfeng.regions.choices import RegionLevel

# ── The states, with the open pending order (抢单池) as a state of its own ────────────────
SUBMITTED, PENDING, OPEN = "submitted", "pending_dispatch", "pending_dispatch+open"
DISPATCHED, ACCEPTED, IN_SERVICE = "dispatched", "accepted", "in_service"
COMPLETED, RATED, REJECTED, CANCELLED = "completed", "rated", "rejected", "cancelled"
STATES = [
    SUBMITTED,
    PENDING,
    OPEN,
    DISPATCHED,
    ACCEPTED,
    IN_SERVICE,
    COMPLETED,
    RATED,
    REJECTED,
    CANCELLED,
]
# The states in which the order is team A's (dispatched to it, or taken by it).
TEAM_A_STATES = {DISPATCHED, ACCEPTED, IN_SERVICE, COMPLETED, RATED}

# ── The people (an order of the resident's at 水口村, responsible site 水口村实践站) ──────
ROLES = [
    "resident",  # the requester
    "stranger",  # another resident of the same village
    "operator",  # operator of the responsible station
    "upper",  # institute admin of the township above
    "sysadmin",  # system administrator (city)
    "outsider",  # institute admin of another township: staff, elsewhere
    "viewer",  # a read-only leader (领导) of the city
    "leader_a",  # leads team A (health, 水口村): the team dispatched in TEAM_A_STATES
    "member_a",  # a plain member of team A
    "leader_b",  # leads team B, whose area (the township) covers the order
    "leader_d",  # leads team D, of another county
]
STAFF = {"operator", "upper", "sysadmin"}  # staff of the responsible site or above it

# ── The table: move → (who may make it, {from state: to state}) ─────────────────────────
# "Staff" for rate and cancel: the design says "by the resident"; staff record them for a
# resident who ordered through them (代群众点单), as the order pages do.
SPEC: dict[str, tuple[set[str], dict[str, str]]] = {
    "approve": (STAFF, {SUBMITTED: PENDING}),  # review
    "reject": (STAFF, {SUBMITTED: REJECTED}),
    "open": (STAFF, {PENDING: OPEN}),  # open for grabbing
    "dispatch": (STAFF, {PENDING: DISPATCHED, OPEN: DISPATCHED}),
    "grab": ({"leader_a", "leader_b"}, {OPEN: ACCEPTED}),  # teams that can serve it
    "accept": ({"leader_a"}, {DISPATCHED: ACCEPTED}),
    "decline": ({"leader_a"}, {DISPATCHED: PENDING}),
    "start": ({"leader_a"}, {ACCEPTED: IN_SERVICE}),
    "complete": ({"leader_a"}, {IN_SERVICE: COMPLETED}),
    "rate": ({"resident"} | STAFF, {COMPLETED: RATED}),
    "cancel": (
        {"resident"} | STAFF,
        {SUBMITTED: CANCELLED, PENDING: CANCELLED, OPEN: CANCELLED, DISPATCHED: CANCELLED},
    ),
}
REFUSED = "refused"


def expected(action: str, state: str, role: str) -> str:
    who, moves = SPEC[action]
    return moves[state] if role in who and state in moves else REFUSED


def test_the_table_reads_like_the_design():
    """A few cells spelled out, so a slip in SPEC itself shows here."""
    assert expected("cancel", ACCEPTED, "resident") == REFUSED  # too late once accepted
    assert expected("cancel", DISPATCHED, "resident") == CANCELLED
    assert expected("accept", PENDING, "leader_a") == REFUSED  # not dispatched yet
    assert expected("accept", DISPATCHED, "leader_b") == REFUSED  # not B's order
    assert expected("rate", IN_SERVICE, "resident") == REFUSED  # not completed yet
    assert expected("rate", COMPLETED, "leader_a") == REFUSED  # the team does not rate itself
    assert expected("grab", PENDING, "leader_a") == REFUSED  # only open orders
    assert expected("grab", OPEN, "leader_d") == REFUSED  # D's area is elsewhere
    assert expected("approve", SUBMITTED, "outsider") == REFUSED
    assert expected("dispatch", OPEN, "operator") == DISPATCHED
    final = {RATED, REJECTED, CANCELLED}
    for _who, moves in SPEC.values():
        assert not final & set(moves), "nothing leaves a final state"
    reached = {SUBMITTED} | {to for _who, moves in SPEC.values() for to in moves.values()}
    assert reached == set(STATES)


@pytest.fixture
def world(world):
    """The orders world (tests/orders/conftest.py), a read-only leader of the city, and
    team D with its leader in another county (德安县), serving every category."""
    world.viewer = grant(UserFactory(username="viewer"), Role.LEADER, world.tree.city)
    county = RegionFactory(name="德安县", code="360426000000", level=RegionLevel.COUNTY)
    center = SiteFactory(name="德安县实践中心", level=SiteLevel.CENTER, region=county)
    world.team_d = TeamFactory(name="德安县志愿服务队", home_site=center, service_categories=[])
    world.leader_d = VolunteerFactory(
        name="孙队长", home_region=county, user=UserFactory(username="leader_d")
    )
    join(world.team_d, world.leader_d, leader=True)
    return world


# ── Running a cell through the services ──────────────────────────────────────────────


def user_of(role: str, world):
    if role in ("leader_a", "member_a", "leader_b", "leader_d"):
        return getattr(world, role).user
    return getattr(world, role)


def team_of(role: str, world):
    """The team a role acts for when grabbing (anyone else claims team A)."""
    return {"leader_b": world.team_b, "leader_d": world.team_d}.get(role, world.team_a)


def call(action: str, order: Order, role: str, world):
    user = user_of(role, world)
    calls = {
        "approve": lambda: services.order_approve(actor=user, order=order),
        "reject": lambda: services.order_reject(actor=user, order=order, reason="不在服务范围"),
        "open": lambda: services.order_open_for_grab(actor=user, order=order),
        "dispatch": lambda: services.order_dispatch(
            actor=user, order=order, team=world.team_a, reason="就近、对口"
        ),
        "grab": lambda: services.order_grab(
            actor=user,
            order=order,
            team=team_of(role, world),
            members=[world.member_a] if team_of(role, world) == world.team_a else [],
        ),
        "accept": lambda: services.order_accept(actor=user, order=order, members=[world.member_a]),
        "decline": lambda: services.order_decline(actor=user, order=order, reason="人手不足"),
        "start": lambda: services.order_start(actor=user, order=order),
        "complete": lambda: services.order_complete(
            actor=user,
            order=order,
            report="为 12 位老人量了血压",
            people_served=12,
            member_hours=[HoursLine(world.member_a.pk, Decimal(0))],  # checked in just now
        ),
        "rate": lambda: services.order_rate(
            actor=user, order=order, level=5, dimensions={"attitude": 5}
        ),
        "cancel": lambda: services.order_cancel(actor=user, order=order, reason="不需要了"),
    }
    return calls[action]()


def state_of(order: Order) -> str:
    if order.state == OrderState.PENDING_DISPATCH and order.is_open:
        return OPEN
    return order.state


def build_in(build, state: str) -> Order:
    if state == OPEN:
        return build(PENDING, is_open=True)
    return build(state)


@contextmanager
def rolled_back():
    """Run the block in a savepoint of the test's transaction and undo it."""
    sid = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(sid)


def outcome(action: str, order: Order, role: str, world) -> str:
    """Make the move, describe what happened, and undo it (a savepoint per cell)."""
    before = state_of(order)
    user = user_of(role, world)
    with rolled_back():
        try:
            call(action, Order.objects.get(pk=order.pk), role, world)
        except (PermissionDenied, Conflict):
            after = Order.objects.get(pk=order.pk)
            changed = state_of(after) != before or OrderEvent.objects.filter(order=order).exists()
            return "refused, but the order changed" if changed else REFUSED
        except DomainError as e:
            return f"{type(e).__name__}:{e.code}"
        after = Order.objects.get(pk=order.pk)
        events = list(OrderEvent.objects.filter(order=order))
        if len(events) != 1:
            return f"{state_of(after)} with {len(events)} events"
        e = events[0]
        if (e.action, e.from_state, e.to_state, e.actor_id) != (
            action,
            before.split("+")[0],
            after.state,
            user.pk,
        ):
            return f"{state_of(after)}, event {e.action} {e.from_state}→{e.to_state}"
        return state_of(after)


@pytest.mark.parametrize("action", list(SPEC))
def test_every_role_in_every_state_through_the_services(action, world, build):
    got, want = {}, {}
    for state in STATES:
        with rolled_back():  # one order at a time: team A's load stays that of one order
            order = build_in(build, state)
            for role in ROLES:
                got[state, role] = outcome(action, order, role, world)
                want[state, role] = expected(action, state, role)
    assert got == want


# ── The same table at the API: 404 outside the user's view, 403 not theirs, 409 wrong state
# Who sees the order (design: outside a user's scope answers 404, as if it did not exist).
SEES_ALWAYS = {"resident", "viewer"} | STAFF
SEES_TEAM_A = {"leader_a", "member_a"}  # team A's orders
SEES_OPEN = {"leader_a", "leader_b"}  # open orders their teams may grab
# A grab attempt by a team of the area: a lost race answers 409, not 404; an order not yet
# reviewed, or rejected, stays out of their view.
GRAB_SEES = {"leader_a", "leader_b"}, set(STATES) - {SUBMITTED, REJECTED}


def sees(role: str, state: str, action: str) -> bool:
    if role in SEES_ALWAYS:
        return True
    if action == "grab" and role in GRAB_SEES[0]:
        return state in GRAB_SEES[1]
    if role in SEES_TEAM_A and state in TEAM_A_STATES:
        return True
    return role in SEES_OPEN and state == OPEN


def entitled(role: str, state: str, action: str) -> bool:
    """Whether the move is this role's to make on this order (else 403)."""
    who, _moves = SPEC[action]
    if action in ("accept", "decline", "start", "complete"):
        return role in who and state in TEAM_A_STATES  # the leader of the order's team
    return role in who


def http_expected(action: str, state: str, role: str) -> int:
    if not sees(role, state, action):
        return 404
    if expected(action, state, role) != REFUSED:
        return 200
    return 409 if entitled(role, state, action) else 403


def api_request(client, action: str, order: Order, world, role: str):
    url = f"/api/v1/orders/{order.pk}/{action}"
    if action == "complete":
        hours = json.dumps([{"volunteer_id": world.member_a.pk, "hours": 0}])
        return client.post(
            url, {"report": "为 12 位老人量了血压", "people_served": "12", "member_hours": hours}
        )
    team = team_of(role, world)
    body = {
        "reject": {"reason": "不在服务范围"},
        "dispatch": {"team_id": world.team_a.pk, "reason": "就近、对口"},
        "grab": {
            "team_id": team.pk,
            "member_ids": [world.member_a.pk] if team == world.team_a else [],
        },
        "accept": {"member_ids": [world.member_a.pk]},
        "decline": {"reason": "人手不足"},
        "rate": {"level": 5, "dimensions": {"attitude": 5}},
        "cancel": {"reason": "不需要了"},
    }.get(action, {})
    return client.post(url, body, content_type="application/json")


def api_outcome(resp) -> int | tuple | dict:
    """200 with the new state, or the error status when the body names the error."""
    body = resp.json()
    if resp.status_code == 200:
        return (200, body.get("state"))
    return resp.status_code if body.get("detail") and body.get("code") else body


# The states each move is tried in at the API: where it may start, and one where it may not
# (the services test above covers every state). A grab is tried in every state: which
# orders a team of the area may see is the point there.
TOO_EARLY_OR_LATE = {
    "approve": PENDING,
    "reject": DISPATCHED,
    "open": SUBMITTED,
    "dispatch": DISPATCHED,
    "accept": ACCEPTED,
    "decline": IN_SERVICE,
    "start": COMPLETED,
    "complete": RATED,
    "rate": IN_SERVICE,
    "cancel": ACCEPTED,
}


def api_states(action: str) -> list[str]:
    if action == "grab":
        return STATES
    return [*SPEC[action][1], TOO_EARLY_OR_LATE[action]]


@pytest.mark.parametrize("action", list(SPEC))
def test_every_role_through_the_api(action, world, build, api_as):
    clients = {role: api_as(user_of(role, world)) for role in ROLES}
    got, want = {}, {}
    for state in api_states(action):
        with rolled_back():
            order = build_in(build, state)
            for role in ROLES:
                with rolled_back():
                    resp = api_request(clients[role], action, order, world, role)
                got[state, role] = api_outcome(resp)
                status = http_expected(action, state, role)
                to = expected(action, state, role).split("+")[0]
                want[state, role] = (200, to) if status == 200 else status
    assert got == want


# ── The system's moves: no person can make them; the worker makes them on deadlines ─────


@pytest.mark.parametrize("action,state", [("timeout", DISPATCHED), ("auto_rate", COMPLETED)])
@pytest.mark.parametrize("role", ["operator", "sysadmin", "leader_a", "resident"])
def test_nobody_can_make_the_systems_moves(action, state, role, world, build, api_as):
    order = build(state)
    resp = api_as(user_of(role, world)).post(
        f"/api/v1/orders/{order.pk}/{action}", {}, content_type="application/json"
    )
    assert resp.status_code in (404, 405), resp.content
    order.refresh_from_db()
    assert order.state == state and not OrderEvent.objects.filter(order=order).exists()


# state → (what the worker does when the step's deadline has passed, the state after)
OVERDUE = {
    SUBMITTED: ("escalate", SUBMITTED),  # review deadline
    PENDING: ("escalate", PENDING),  # dispatch deadline
    DISPATCHED: ("timeout", PENDING),  # accept deadline: back to the pool
    ACCEPTED: ("escalate", ACCEPTED),  # start deadline
    IN_SERVICE: (None, IN_SERVICE),  # no deadline while serving
    COMPLETED: ("auto_rate", RATED),  # rate deadline: rated automatically
    RATED: (None, RATED),
    REJECTED: (None, REJECTED),
    CANCELLED: (None, CANCELLED),
}


def test_the_worker_on_an_overdue_order_in_every_state(world, build):
    past = timezone.now() - timedelta(minutes=1)
    got = {}
    for state in OVERDUE:
        order = build(state)
        Order.objects.filter(pk=order.pk).update(due_at=past)
        done = services.handle_overdue(order.pk)
        order.refresh_from_db()
        got[state] = (done, order.state)
        if done == "escalate":  # to the site one level up (the township's institute)
            assert order.site == world.tree.inst1, state
        if done == "auto_rate":
            assert order.rating_is_auto and order.rating_level
        if done == "timeout":
            assert order.team is None
    assert got == OVERDUE
