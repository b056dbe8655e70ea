"""The dispatch engine on arrays: the score's components behave, and the exact assignment
equals a brute-force optimum (linear_sum_assignment over capacity slots) on random
instances, respects capacities, and explains every choice."""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from xinfeng.orders.dispatch_assign import greedy_nearest, plan_cost, solve_assignment
from xinfeng.orders.dispatch_plan import plan_dispatch, rank_teams
from xinfeng.orders.dispatch_score import (
    CATEGORY_INDEX,
    DEFAULT_WEIGHTS,
    OrderArrays,
    TeamArrays,
    category_mask,
    cost_matrix,
    get_weights,
    haversine_km,
    pair_components,
)

W = dict(DEFAULT_WEIGHTS)
HEALTH = CATEGORY_INDEX["health"]


def orders_at(points, *, category=HEALTH, seg=(1, 2, 3, 10, 100)):
    n = len(points)
    return OrderArrays(
        ids=np.arange(1, n + 1),
        lat=np.array([p[0] for p in points], float),
        lon=np.array([p[1] for p in points], float),
        segments=np.tile(np.array(seg, np.int64), (n, 1)),
        depth=np.full(n, len(seg)),
        category=np.full(n, category),
    )


def teams_at(points, *, cats=None, capacity=None, load=None, segs=None, ratings=None):
    m = len(points)
    segs = segs or [(1, 2, 3, 10, 100)] * m
    width = max(len(s) for s in segs)
    seg = np.zeros((m, width), np.int64)
    for j, s in enumerate(segs):
        seg[j, : len(s)] = s
    ratings = ratings or [(0, 0)] * m
    return TeamArrays(
        ids=np.arange(1, m + 1),
        lat=np.array([p[0] for p in points], float),
        lon=np.array([p[1] for p in points], float),
        segments=seg,
        depth=np.array([len(s) for s in segs]),
        categories=np.array([category_mask(c) for c in (cats or [["health"]] * m)], np.int64),
        capacity=np.array(capacity or [3] * m),
        load=np.array(load or [0] * m),
        rating_sum=np.array([r[0] for r in ratings], float),
        rating_count=np.array([r[1] for r in ratings], float),
        response_hours_sum=np.zeros(m),
        response_count=np.zeros(m),
    )


def test_haversine_matches_a_known_distance():
    # 共青城 to 九江 (about 50 km apart); one degree of latitude is ~111.2 km.
    assert haversine_km(29.0, 115.8, 30.0, 115.8) == pytest.approx(111.19, abs=0.05)
    o = orders_at([(29.25, 115.80)])
    t = teams_at([(29.70, 116.00)])
    dense = cost_matrix(
        o, t, {**W, "category": 0, "jurisdiction": 0, "load": 0, "rating": 0, "response": 0}
    )
    assert dense[0, 0] == pytest.approx(float(haversine_km(29.25, 115.80, 29.70, 116.00)), rel=1e-9)


def test_closer_team_ranks_higher_all_else_equal():
    o = orders_at([(29.25, 115.80)])
    t = teams_at([(29.30, 115.80), (29.26, 115.80), (29.40, 115.80)])
    ranked = rank_teams(o, t, 0, weights=W)
    assert [r["team_id"] for r in ranked] == [2, 1, 3]
    dist = [r["distance_km"] for r in ranked]
    assert dist == sorted(dist)


def test_full_team_is_excluded_or_flagged_last():
    o = orders_at([(29.25, 115.80)])
    t = teams_at([(29.25, 115.80), (29.30, 115.80)], capacity=[2, 2], load=[2, 0])
    ranked = rank_teams(o, t, 0, weights=W)
    assert [r["team_id"] for r in ranked] == [2]
    flagged = rank_teams(o, t, 0, weights=W, include_full=True)
    assert [(r["team_id"], r["full"]) for r in flagged] == [(2, False), (1, True)]
    assert np.isinf(cost_matrix(o, t, W)[0, 0])


def test_category_mismatch_is_penalised_and_general_team_half():
    o = orders_at([(29.25, 115.80)])
    t = teams_at([(29.25, 115.80)] * 3, cats=[["health"], [], ["law"]])
    parts = pair_components(o, t, np.zeros(3, int), np.arange(3), W)
    cat = [next(c for c in p["components"] if c["name"] == "category") for p in parts]
    assert [c["value"] for c in cat] == [0.0, 0.5, 1.0]
    assert [c["cost"] for c in cat] == [0.0, W["category"] / 2, W["category"]]
    assert [r["team_id"] for r in rank_teams(o, t, 0, weights=W)] == [1, 2, 3]


def test_jurisdiction_steps_and_ratings():
    o = orders_at([(29.25, 115.80)], seg=(1, 2, 3, 10, 100))
    t = teams_at(
        [(29.25, 115.80)] * 4,
        segs=[(1, 2, 3, 10, 100), (1, 2, 3, 10), (1, 2, 3, 11, 110), (1, 2, 4, 12, 120)],
    )
    parts = pair_components(o, t, np.zeros(4, int), np.arange(4), W)
    assert [p["jurisdiction_steps"] for p in parts] == [0, 1, 2, 3]
    # A well-rated team beats an equally placed badly rated one.
    t2 = teams_at([(29.25, 115.80)] * 2, ratings=[(10, 10), (50, 10)])
    assert [r["team_id"] for r in rank_teams(o, t2, 0, weights=W)] == [2, 1]


def test_every_component_is_reported_with_weight_and_sums_to_the_total():
    o = orders_at([(29.25, 115.80)])
    t = teams_at([(29.31, 115.86)], load=[1], ratings=[(30, 8)])
    entry = rank_teams(o, t, 0, weights=W)[0]
    names = [c["name"] for c in entry["components"]]
    assert names == [
        "project",
        "distance",
        "category",
        "jurisdiction",
        "load",
        "rating",
        "response",
    ]
    assert all(c["weight"] == W[c["name"]] and c["label"] for c in entry["components"])
    assert sum(c["cost"] for c in entry["components"]) == pytest.approx(entry["total"], abs=1e-3)
    assert entry["total"] == pytest.approx(cost_matrix(o, t, W)[0, 0], abs=1e-3)


def test_weights_come_from_settings_and_typos_are_refused(settings):
    settings.XINFENG_DISPATCH_WEIGHTS = {"distance": 2.5}
    assert get_weights()["distance"] == 2.5
    settings.XINFENG_DISPATCH_WEIGHTS = {"distanse": 1}
    with pytest.raises(ValueError, match="distanse"):
        get_weights()


def brute_force(cost, capacity, penalty):
    """The obvious exact answer: every capacity slot a column, one unassigned column per
    order, linear_sum_assignment on the dense matrix."""
    n, m = cost.shape
    slot_team = np.repeat(np.arange(m), capacity)
    big = 1e9
    slots = np.where(np.isfinite(cost[:, slot_team]), cost[:, slot_team], big)
    dummy = np.full((n, n), big)
    np.fill_diagonal(dummy, penalty)
    r, c = linear_sum_assignment(np.hstack([slots, dummy]))
    return float(np.hstack([slots, dummy])[r, c].sum())


@pytest.mark.parametrize("seed", range(12))
def test_assignment_equals_brute_force_optimum(seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        n, m = int(rng.integers(1, 30)), int(rng.integers(1, 9))
        cost = rng.uniform(0, 60, (n, m)).round(int(rng.integers(0, 3)))
        cost[rng.random((n, m)) < 0.25] = np.inf
        capacity = rng.integers(0, 5, m)
        penalty = float(rng.choice([25.0, 50.0, 1000.0]))
        k = int(rng.integers(1, 4))  # few candidates: the pricing step must find the rest
        res = solve_assignment(cost, capacity, penalty=penalty, k=k)
        assert res.certified
        assert (np.bincount(res.team[res.team >= 0], minlength=m) <= capacity).all()
        assert all(np.isfinite(cost[i, j]) for i, j in enumerate(res.team) if j >= 0)
        assert res.total_cost == pytest.approx(brute_force(cost, capacity, penalty), abs=1e-6)
        assert res.total_cost == pytest.approx(plan_cost(cost, res.team, penalty), abs=1e-6)


def test_more_orders_than_capacity_leaves_the_costliest_out_and_reports_it():
    # Three orders, one team with room for two: the farthest order is left out.
    o = orders_at([(29.25, 115.80), (29.26, 115.80), (29.60, 115.80)])
    t = teams_at([(29.25, 115.80)], capacity=[2])
    plan = plan_dispatch(o, t, weights=W)
    assert plan.result.team.tolist() == [0, 0, -1]
    assert plan.result.unassigned.tolist() == [2]
    left = plan.explanations[2]
    assert left["team_id"] is None and left["total"] == W["unassigned"] and left["reason"]
    assert plan.total_cost == pytest.approx(
        plan.explanations[0]["total"] + plan.explanations[1]["total"] + W["unassigned"], abs=1e-3
    )


def test_explanations_name_the_cheaper_team_that_was_used_up():
    # Both orders prefer team 1 (room for one); the order that would lose more keeps it.
    o = orders_at([(29.250, 115.80), (29.252, 115.80)])
    t = teams_at([(29.251, 115.80), (29.251, 115.83), (29.40, 115.80)], capacity=[1, 1, 1])
    plan = plan_dispatch(o, t, weights=W)
    ranks = sorted(e["rank"] for e in plan.explanations)
    assert ranks == [1, 2]
    second = next(e for e in plan.explanations if e["rank"] == 2)
    assert second["cheapest_team_id"] == 1 and second["extra_cost"] > 0
    assert "第 2 名" in second["reason"]
    for e in plan.explanations:
        assert e["components"] and e["total"] > 0


def test_exact_beats_greedy_on_a_crafted_instance():
    # Greedy sends order 0 to the shared nearest team, forcing order 1 far away.
    cost = np.array([[1.0, 2.0], [1.5, 40.0]])
    distance = cost.copy()
    capacity = np.array([1, 1])
    res = solve_assignment(cost, capacity, penalty=1000.0)
    greedy = greedy_nearest(distance, capacity)
    assert res.total_cost == pytest.approx(3.5)
    assert plan_cost(cost, greedy, 1000.0) == pytest.approx(41.0)


def test_larger_random_instance_matches_dense_optimum():
    rng = np.random.default_rng(7)
    n, m = 300, 60
    o = orders_at(
        list(zip(29.25 + rng.normal(0, 0.1, n), 115.8 + rng.normal(0, 0.1, n), strict=True))
    )
    o.category = rng.integers(0, len(CATEGORY_INDEX), n)
    cats = [[list(CATEGORY_INDEX)[c] for c in rng.choice(len(CATEGORY_INDEX), 2)] for _ in range(m)]
    t = teams_at(
        list(zip(29.25 + rng.normal(0, 0.1, m), 115.8 + rng.normal(0, 0.1, m), strict=True)),
        cats=cats,
        capacity=rng.integers(1, 8, m).tolist(),
    )
    plan = plan_dispatch(o, t, weights=W, k=4)
    cost = cost_matrix(o, t, W)
    assert plan.result.certified
    assert plan.total_cost == pytest.approx(
        brute_force(cost, t.remaining, W["unassigned"]), rel=1e-9
    )


def _with_project(orders, project_ids):
    orders.project = np.array(project_ids, np.int64)
    return orders


def test_a_team_that_delivers_the_ordered_project_ranks_first_all_else_equal():
    # Three identical teams at the same place; only team 3 delivers project 7.
    o = _with_project(orders_at([(29.25, 115.80)]), [7])
    t = teams_at([(29.26, 115.80)] * 3)
    t.project_teams = {7: np.array([2])}
    ranked = rank_teams(o, t, 0, weights=W)
    assert ranked[0]["team_id"] == 3
    proj = [next(c for c in r["components"] if c["name"] == "project") for r in ranked]
    assert [p["value"] for p in proj] == [0.0, 1.0, 1.0]
    assert proj[1]["cost"] == W["project"] and proj[1]["weight"] == W["project"]
    # The same cost in the batch matrix as in the explanation (one cost everywhere).
    dense = cost_matrix(o, t, W)[0]
    assert [r["total"] for r in ranked] == pytest.approx(
        [dense[r["team_id"] - 1] for r in ranked], abs=1e-3
    )
    # Weight 0 switches the preference off: ties go by team id again.
    off = rank_teams(o, t, 0, weights={**W, "project": 0.0})
    assert [r["team_id"] for r in off] == [1, 2, 3]


def test_the_project_component_is_zero_for_orders_without_a_project_and_in_batches():
    # Two orders in one batch: one names project 7 (delivered by team 2), one names none.
    o = _with_project(orders_at([(29.25, 115.80), (29.25, 115.80)]), [7, 0])
    t = teams_at([(29.25, 115.80), (29.25, 115.80)])
    t.project_teams = {7: np.array([1])}
    dense = cost_matrix(o, t, W)
    assert dense[0, 0] - dense[0, 1] == pytest.approx(W["project"])
    assert dense[1, 0] == pytest.approx(dense[1, 1])
    plan = plan_dispatch(o, t, weights=W)
    assert plan.explanations[0]["team_id"] == 2
