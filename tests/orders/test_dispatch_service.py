"""The dispatch engine against the database: suggestions for a real order, and auto-dispatch
of real pending orders through the orders service (state, team, reason, event)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfeng.orders.choices import OrderAction, OrderState
from xinfeng.orders.dispatch import auto_dispatch, suggest_teams
from xinfeng.orders.models import Order, OrderEvent
from xinfeng.orders.services import orders_auto_dispatch

from .factories import make_order


def pending(world, n, **extra):
    fields = {
        "project": world.project,
        "category": "health",
        "requester": world.resident,
        "created_by": world.resident,
        "region": world.tree.v1,
        "site": world.tree.st1,
        "state": OrderState.PENDING_DISPATCH,
    }
    fields.update(extra)
    return [make_order(title=f"体检{i}", **fields) for i in range(n)]


def test_suggestions_rank_the_matching_village_team_first_and_explain(world):
    order = pending(world, 1)[0]
    ranked = suggest_teams(order)
    assert [s["team"] for s in ranked] == [world.team_a, world.team_b, world.team_c]
    top = ranked[0]
    assert top["team_name"] == "水口村卫生服务队" and top["rank"] == 1
    assert {c["name"] for c in top["components"]} == {
        "project",
        "distance",
        "category",
        "jurisdiction",
        "load",
        "rating",
        "response",
    }
    # One sentence an operator reads: the team, then what counts, in plain words.
    assert top["reason"].startswith("水口村卫生服务队：") and "公里" in top["reason"]
    assert "本村队伍" in top["reason"] and "暂无评价" in top["reason"]
    # Team C (another township, no category) is further in jurisdiction than team B.
    assert ranked[2]["jurisdiction_steps"] > ranked[1]["jurisdiction_steps"]


def test_full_and_inactive_teams_are_not_suggested(world, build):
    world.team_a.capacity = 1
    world.team_a.save()
    build(OrderState.DISPATCHED)  # team A now holds one order: full
    world.team_c.is_active = False
    world.team_c.save()
    order = pending(world, 1)[0]
    assert [s["team"] for s in suggest_teams(order)] == [world.team_b]
    flagged = suggest_teams(order, include_full=True)
    assert [(s["team"], s["full"]) for s in flagged] == [
        (world.team_b, False),
        (world.team_a, True),
    ]


def test_past_ratings_and_slow_responses_count(world, build):
    now = timezone.now()
    # Team B earned excellent ratings and answers fast; team A was rated badly and slow.
    for _ in range(6):
        build(
            OrderState.COMPLETED,
            team=world.team_a,
            rating_level=1,
            dispatched_at=now - timedelta(hours=40),
            accepted_at=now,
        )
    order = pending(world, 1, category="", project=None)[0]
    ranked = suggest_teams(order)
    a = next(s for s in ranked if s["team"] == world.team_a)
    rating = next(c for c in a["components"] if c["name"] == "rating")
    response = next(c for c in a["components"] if c["name"] == "response")
    assert rating["value"] > 0.5 and response["value"] > 0.5
    assert ranked[0]["team"] == world.team_b


def test_auto_dispatch_plan_respects_capacity_and_explains(world):
    orders = pending(world, 5)
    plan = auto_dispatch(orders)
    assert plan.certified
    by_team = {}
    for order, team, entry in plan.assignments:
        by_team.setdefault(team, []).append(order)
        assert entry["components"] and entry["reason"]
    assert len(by_team[world.team_a]) == 3  # its capacity
    assert sum(len(v) for v in by_team.values()) == 5
    assert plan.unassigned == []


def test_auto_dispatch_service_dispatches_real_orders_with_reasons(world):
    orders = pending(world, 4)
    report = orders_auto_dispatch(actor=world.operator)
    assert len(report.dispatched) == 4 and not report.failed and report.certified
    for order in orders:
        order.refresh_from_db()
        assert order.state == OrderState.DISPATCHED
        assert order.team in (world.team_a, world.team_b)
        assert order.dispatch_reason.startswith("自动派单")
        assert order.dispatch_score["engine"] == "auto"
        ev = OrderEvent.objects.get(order=order, action=OrderAction.DISPATCH)
        assert ev.actor == world.operator and ev.to_state == OrderState.DISPATCHED
        assert "公里" in ev.reason and ev.detail["score"]["explain"]["team"] == order.team.name
    assert Order.objects.filter(team=world.team_a, state=OrderState.DISPATCHED).count() == 3


def test_auto_dispatch_reports_orders_left_without_room(world):
    for team in (world.team_b, world.team_c):
        team.is_active = False
        team.save()
    orders = pending(world, 5)
    report = orders_auto_dispatch(actor=world.operator)
    assert len(report.dispatched) == 3 and len(report.unassigned) == 2
    left = {o.pk for o, _ in report.unassigned}
    assert Order.objects.filter(pk__in=left, state=OrderState.PENDING_DISPATCH).count() == 2
    assert all(reason for _, reason in report.unassigned)
    assert {o.pk for o in orders} == left | {o.pk for o, _, _ in report.dispatched}


def test_auto_dispatch_only_touches_orders_the_actor_may_dispatch(world):
    orders = pending(world, 2)
    # Staff of another township sees none of them by default ...
    assert orders_auto_dispatch(actor=world.outsider).dispatched == []
    # ... and handing them over explicitly fails in the service's permission check.
    report = orders_auto_dispatch(actor=world.outsider, orders=orders)
    assert len(report.failed) == 2 and not report.dispatched
    assert not Order.objects.filter(state=OrderState.DISPATCHED).exists()


@pytest.mark.parametrize("weights", [{"category": 0.0}, None])
def test_weights_can_be_overridden_per_call(world, weights):
    order = pending(world, 1)[0]
    ranked = suggest_teams(order, weights=weights)
    cat = next(c for c in ranked[-1]["components"] if c["name"] == "category")
    assert cat["weight"] == (0.0 if weights else 15.0)
