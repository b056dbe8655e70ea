"""The moves outside the transition table, each by every kind of user and in the wrong
state: a named member confirms or declines for themself, the leader names more members,
the site closes a follow-up (回访), a leader grabs only for a team they lead that may serve
the order. Each refusal is a clear 4xx with ``detail`` and ``code`` and changes nothing."""

import pytest

from xinfeng.orders.choices import AssignmentStatus, FollowUpStatus, OrderState
from xinfeng.orders.models import FollowUp, OrderAssignment, OrderEvent

pytestmark = pytest.mark.django_db

USERS = ["resident", "stranger", "operator", "outsider", "leader_a", "member_a", "leader_b"]


def user_of(name, world):
    v = getattr(world, name)
    return v.user if hasattr(v, "user") and not hasattr(v, "username") else v


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _refused(resp, status):
    assert resp.status_code == status, resp.content
    data = resp.json()
    assert data["detail"] and data["code"]


def _invited(world, build, state=OrderState.ACCEPTED):
    order = build(state)
    OrderAssignment.objects.filter(order=order).update(status=AssignmentStatus.INVITED)
    return order


# Who may confirm an invitation: only the named member (the others cannot see the order,
# or see it but were not named: 404 "not named", never a 403 that hints at someone else).
CONFIRM = {"member_a": 200, "resident": 404, "stranger": 404, "operator": 404,
           "outsider": 404, "leader_a": 404, "leader_b": 404}  # fmt: skip


@pytest.mark.parametrize("name", USERS)
@pytest.mark.parametrize("move", ["confirm", "member-decline"])
def test_only_the_named_member_answers(world, build, api_as, name, move):
    order = _invited(world, build)
    resp = _post(api_as(user_of(name, world)), f"/api/v1/orders/{order.pk}/{move}")
    a = OrderAssignment.objects.get(order=order)
    if CONFIRM[name] == 200:
        assert resp.status_code == 200, resp.content
        want = AssignmentStatus.CONFIRMED if move == "confirm" else AssignmentStatus.DECLINED
        assert a.status == want
        assert OrderEvent.objects.filter(order=order).count() == 1
    else:
        _refused(resp, CONFIRM[name])
        assert a.status == AssignmentStatus.INVITED
        assert not OrderEvent.objects.exists()


@pytest.mark.parametrize(
    "state", [OrderState.COMPLETED, OrderState.RATED]
)  # the service is over: too late to answer
def test_answering_after_the_service_is_409(world, build, api_as, state):
    order = _invited(world, build, state)
    _refused(_post(api_as(world.member_a.user), f"/api/v1/orders/{order.pk}/confirm"), 409)
    assert OrderAssignment.objects.get(order=order).status == AssignmentStatus.INVITED


def test_answering_twice_is_409(world, build, api_as):
    order = _invited(world, build)
    member = api_as(world.member_a.user)
    assert _post(member, f"/api/v1/orders/{order.pk}/member-decline").status_code == 200
    _refused(_post(member, f"/api/v1/orders/{order.pk}/confirm"), 409)
    assert OrderAssignment.objects.get(order=order).status == AssignmentStatus.DECLINED


MEMBERS = {"leader_a": 200, "member_a": 403, "operator": 403, "resident": 403,
           "stranger": 404, "outsider": 404, "leader_b": 404}  # fmt: skip


@pytest.mark.parametrize("name", USERS)
def test_only_the_team_leader_names_more_members(world, build, api_as, name):
    order = build(OrderState.IN_SERVICE)
    resp = _post(
        api_as(user_of(name, world)),
        f"/api/v1/orders/{order.pk}/members",
        {"member_ids": [world.leader_a.pk]},
    )
    if MEMBERS[name] == 200:
        assert resp.status_code == 200, resp.content
        assert OrderAssignment.objects.filter(order=order).count() == 2
    else:
        _refused(resp, MEMBERS[name])
        assert OrderAssignment.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("state", [OrderState.DISPATCHED, OrderState.COMPLETED, OrderState.RATED])
def test_naming_members_outside_accepted_or_in_service_is_409(world, build, api_as, state):
    order = build(state)
    resp = _post(
        api_as(world.leader_a.user),
        f"/api/v1/orders/{order.pk}/members",
        {"member_ids": [world.leader_a.pk]},
    )
    _refused(resp, 409)
    assert not OrderAssignment.objects.filter(order=order, volunteer=world.leader_a).exists()


FOLLOW_UP = {"operator": 200, "resident": 404, "stranger": 404, "outsider": 404,
             "leader_a": 404, "member_a": 404, "leader_b": 404}  # fmt: skip


@pytest.mark.parametrize("name", USERS)
def test_only_the_sites_staff_close_a_follow_up(world, build, api_as, name):
    order = build(OrderState.RATED)
    fu = FollowUp.objects.create(
        order=order, site=world.tree.st1, region=world.tree.v1, opened_at=order.submitted_at
    )
    resp = _post(
        api_as(user_of(name, world)),
        f"/api/v1/orders/follow-ups/{fu.pk}/close",
        {"outcome": "已电话回访", "resolved": True},
    )
    fu.refresh_from_db()
    if FOLLOW_UP[name] == 200:
        assert resp.status_code == 200 and fu.status == FollowUpStatus.DONE
        assert fu.closed_by == world.operator
    else:
        _refused(resp, FOLLOW_UP[name])
        assert fu.status == FollowUpStatus.OPEN


def _grab(client, order, team):
    return _post(client, f"/api/v1/orders/{order.pk}/grab", {"team_id": team.pk})


def test_grab_eligibility(world, build, api_as):
    order = build(OrderState.PENDING_DISPATCH, is_open=True)
    # For a team one does not lead: 403.
    _refused(_grab(api_as(world.leader_a.user), order, world.team_b), 403)
    # Team A serves health only: a law order is not theirs to grab.
    law = build(OrderState.PENDING_DISPATCH, is_open=True, category="law", project=None)
    resp = _grab(api_as(world.leader_a.user), law, world.team_a)
    _refused(resp, 403)
    assert resp.json()["code"] == "team_not_eligible"
    # A pending order the site has not opened cannot be grabbed.
    closed = build(OrderState.PENDING_DISPATCH)
    resp = _grab(api_as(world.leader_b.user), closed, world.team_b)
    _refused(resp, 409)
    assert resp.json()["code"] == "not_open"
    # Team B (the township's team, any category) may grab the open one; then it is gone.
    resp = _grab(api_as(world.leader_b.user), order, world.team_b)
    assert resp.status_code == 200 and resp.json()["team_id"] == world.team_b.pk
    resp = _grab(api_as(world.leader_a.user), order, world.team_a)
    _refused(resp, 409)
    for o in (law, closed):
        o.refresh_from_db()
        assert o.state == OrderState.PENDING_DISPATCH and o.team is None


def test_a_rejected_or_unreviewed_order_is_404_even_to_teams_of_its_area(world, build, api_as):
    for state in (OrderState.SUBMITTED, OrderState.REJECTED):
        order = build(state)
        resp = _grab(api_as(world.leader_a.user), order, world.team_a)
        _refused(resp, 404)
        assert api_as(world.leader_a.user).get(f"/api/v1/orders/{order.pk}").status_code == 404


def test_after_escalation_the_upper_site_acts_and_the_station_no_longer_can(world, build, api_as):
    order = build(OrderState.SUBMITTED, site=world.tree.inst1, escalation_level=1)
    url = f"/api/v1/orders/{order.pk}/approve"
    # The station still sees the order of its village, but it is no longer its to review.
    assert api_as(world.operator).get(f"/api/v1/orders/{order.pk}").status_code == 200
    _refused(_post(api_as(world.operator), url), 403)
    resp = _post(api_as(world.upper), url)
    assert resp.status_code == 200 and resp.json()["state"] == OrderState.PENDING_DISPATCH
    e = OrderEvent.objects.get(order=order, action="approve")
    assert e.actor == world.upper and e.site == world.tree.inst1
