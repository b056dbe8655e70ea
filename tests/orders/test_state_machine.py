"""The transition table, move by move, through the real API.

For every person-made move: each state it may start from, by every kind of user (the
requester, a stranger, the station operator, the township admin above, staff elsewhere,
the system administrator, the dispatched team's leader and a plain member, the leader of
another team of the area and of a team elsewhere), plus every state it may not start from. The expectation is written here independently of the code:
an order the user cannot see answers 404; a user who may not make the move 403; the wrong
state 409; otherwise 200 and exactly one new event of that move.
"""

import pytest

from xinfeng.orders.choices import TRANSITIONS, Actor, OrderAction, OrderState
from xinfeng.orders.models import Order, OrderEvent

PERSON_ACTIONS = [a for a, (_f, _t, who) in TRANSITIONS.items() if Actor.SYSTEM not in who]
ALL_STATES = list(OrderState)

# actor name → the kinds of the table it has for an order of the resident's at 水口村
STAFF = {"operator", "upper", "sysadmin"}


def kinds_of(actor: str, order: Order, world) -> set[str]:
    if actor == "resident":
        return {Actor.REQUESTER}
    if actor in STAFF:
        return {Actor.SITE_STAFF}
    if actor == "leader_a":
        k = {Actor.ELIGIBLE_LEADER}  # team A serves health at 水口村
        if order.team_id == world.team_a.pk:
            k.add(Actor.TEAM_LEADER)
        return k
    return set()


UNREVIEWED = (OrderState.SUBMITTED, OrderState.REJECTED)


def visible(actor: str, order: Order, world, action: str) -> bool:
    if actor in ("resident", "viewer", *STAFF):
        return True  # the viewer (领导, read-only) sees the whole city
    open_now = order.is_open and order.state == OrderState.PENDING_DISPATCH
    if actor in ("leader_a", "leader_b") and action == OrderAction.GRAB:
        # Teams A and B cover the order's village: a lost race is a 409, not a 404; an
        # order not yet reviewed, or rejected, is still none of their business.
        return order.state not in UNREVIEWED
    if actor in ("leader_a", "member_a") and order.team_id == world.team_a.pk:
        return True
    if actor in ("leader_a", "leader_b"):
        return open_now
    return False  # stranger, outsider, leader_c (team C's area is elsewhere)


def expected(action: str, actor: str, order: Order, world) -> int:
    from_states, _to, allowed = TRANSITIONS[action]
    if not visible(actor, order, world, action):
        return 404
    if not kinds_of(actor, order, world) & set(allowed):
        return 403
    if order.state not in from_states:
        return 409
    return 200


def payload(action: str, world) -> tuple[dict, bool]:
    """(body, multipart?) for the move."""
    return {
        OrderAction.APPROVE: ({}, False),
        OrderAction.REJECT: ({"reason": "不在服务范围"}, False),
        OrderAction.OPEN: ({}, False),
        OrderAction.DISPATCH: ({"team_id": world.team_a.pk, "reason": "就近、对口"}, False),
        OrderAction.GRAB: ({"team_id": world.team_a.pk, "member_ids": [world.member_a.pk]}, False),
        OrderAction.ACCEPT: ({"member_ids": [world.member_a.pk]}, False),
        OrderAction.DECLINE: ({"reason": "人手不足"}, False),
        OrderAction.START: ({}, False),
        OrderAction.COMPLETE: (
            {
                "report": "为 12 位老人量了血压",
                "people_served": "12",
                # The member checked in just now: confirm 0 h (no record).
                "member_hours": f'[{{"volunteer_id": {world.member_a.pk}, "hours": 0}}]',
            },
            True,
        ),
        OrderAction.RATE: ({"level": 5, "dimensions": {"attitude": 5}}, False),
        OrderAction.CANCEL: ({"reason": "不需要了"}, False),
    }[action]


ACTORS = [
    "resident",
    "stranger",
    "operator",
    "upper",
    "outsider",
    "sysadmin",
    "leader_a",
    "member_a",
    "leader_b",  # leads another team whose area covers the order
    "leader_c",  # leads a team across the city
    "viewer",  # a read-only leader (领导) of the city: sees everything, moves nothing
]


def user_of(actor: str, world):
    if actor == "viewer":
        from xinfeng.accounts.choices import Role

        from ..factories import UserFactory, grant

        return grant(UserFactory(username="viewer"), Role.LEADER, world.tree.city)
    if actor in ("leader_a", "member_a", "leader_b", "leader_c"):
        return getattr(world, actor).user
    return getattr(world, actor)


def cases():
    for action in PERSON_ACTIONS:
        from_states, _to, who = TRANSITIONS[action]
        for state in from_states:
            for actor in ACTORS:
                yield pytest.param(action, state, actor, id=f"{action}-{state}-{actor}")
        # Every other state, by a user the move is meant for (409 where they can see it).
        actor = {
            Actor.REQUESTER: "resident",
            Actor.SITE_STAFF: "operator",
            Actor.TEAM_LEADER: "leader_a",
            Actor.ELIGIBLE_LEADER: "leader_a",
        }[who[0]]
        for state in ALL_STATES:
            if state not in from_states:
                yield pytest.param(action, state, actor, id=f"{action}-{state}-{actor}")


@pytest.mark.parametrize("action,state,actor", list(cases()))
def test_transition(action, state, actor, world, build, api_as):
    is_open = action == OrderAction.GRAB and state == OrderState.PENDING_DISPATCH
    order = build(state, is_open=is_open)
    want = expected(action, actor, order, world)
    body, multipart = payload(action, world)
    user = user_of(actor, world)
    client = api_as(user)
    url = f"/api/v1/orders/{order.pk}/{action}"
    if multipart:
        resp = client.post(url, body)
    else:
        resp = client.post(url, body, content_type="application/json")
    assert resp.status_code == want, resp.content
    events = OrderEvent.objects.filter(order=order, action=action)
    order.refresh_from_db()
    if want == 200:
        assert order.state == TRANSITIONS[action][1]
        assert events.count() == 1
        e = events.get()
        assert (e.from_state, e.to_state) == (state, TRANSITIONS[action][1])
        assert e.actor == user
        assert resp.json()["state"] == order.state
    else:
        assert order.state == state
        assert not events.exists()
        data = resp.json()
        assert data["detail"] and data["code"]


def test_every_state_has_a_way_in_and_final_states_have_none():
    reachable = {OrderState.SUBMITTED} | {to for _f, to, _w in TRANSITIONS.values()}
    assert reachable == set(OrderState)
    for _action, (from_states, _to, _who) in TRANSITIONS.items():
        assert not set(from_states) & {OrderState.RATED, OrderState.REJECTED, OrderState.CANCELLED}


SYSTEM_ACTIONS = [a for a, (_f, _t, who) in TRANSITIONS.items() if Actor.SYSTEM in who]


@pytest.mark.parametrize("action", SYSTEM_ACTIONS)
@pytest.mark.parametrize("actor", ["operator", "sysadmin", "leader_a", "resident"])
def test_nobody_can_make_the_systems_moves(action, actor, world, build, api_as):
    state = TRANSITIONS[action][0][0]
    order = build(state)
    resp = api_as(user_of(actor, world)).post(
        f"/api/v1/orders/{order.pk}/{action}", {}, content_type="application/json"
    )
    assert resp.status_code in (404, 405), resp.content
    order.refresh_from_db()
    assert order.state == state and not OrderEvent.objects.filter(order=order).exists()
