"""The fast paths of the dispatch engine against obvious references.

- The successive-shortest-path solver equals a brute-force optimum (linear_sum_assignment over
  every capacity slot plus one "unassigned" column per order) on random small instances:
  tight capacities, more orders than slots, teams without room, orders nobody may take,
  integer costs full of ties, negative costs, a penalty below some pairs.
- Its potentials are a real certificate: no eligible pair has a negative reduced cost and
  every pair in use has reduced cost zero.
- The pricing loop brings in the pairs the first candidates missed.
- The blocked cost matrix equals the per-pair explanation of every pair (rows spanning
  several blocks, unknown places and categories), and the blocked ranks equal a plain count.
"""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from xinfeng.orders.dispatch_assign import BLOCK_ROWS, dense_optimum, plan_cost, solve_assignment
from xinfeng.orders.dispatch_plan import plan_dispatch
from xinfeng.orders.dispatch_score import (
    CATEGORY_INDEX,
    DEFAULT_WEIGHTS,
    OrderArrays,
    TeamArrays,
    _unique_rows,
    cost_matrix,
    pair_components,
)

W = dict(DEFAULT_WEIGHTS)


def brute_force(cost, capacity, penalty):
    """Minimum total over every plan: capacity slots as columns, one unassigned column per
    order; a pair at or above the penalty is never better than leaving the order out."""
    n, m = cost.shape
    slot_team = np.repeat(np.arange(m), np.maximum(capacity, 0))
    big = 1e12
    c = cost[:, slot_team]
    slots = np.where(np.isfinite(c) & (c < penalty), c, big)
    dummy = np.full((n, n), big)
    np.fill_diagonal(dummy, penalty)
    full = np.hstack([slots, dummy])
    r, col = linear_sum_assignment(full)
    return float(full[r, col].sum())


def check_plan(res, cost, capacity, penalty):
    n, m = cost.shape
    team = res.team
    assert team.shape == (n,)
    used = team >= 0
    assert (np.bincount(team[used], minlength=m) <= np.maximum(capacity, 0)).all()
    assert all(cost[i, j] < penalty for i, j in enumerate(team) if j >= 0)
    assert res.total_cost == pytest.approx(plan_cost(cost, team, penalty), abs=1e-6)


def random_instance(rng, *, tight=False, negative=False, ties=False):
    n, m = int(rng.integers(1, 40)), int(rng.integers(1, 10))
    cost = rng.uniform(-20 if negative else 0, 60, (n, m))
    if ties:
        cost = np.round(cost / 10) * 10  # many equal costs
    cost[rng.random((n, m)) < 0.3] = np.inf
    if rng.random() < 0.2:
        cost[int(rng.integers(n))] = np.inf  # an order nobody may take
    high = 3 if tight else 8
    capacity = rng.integers(-1, high, m)  # some teams without room (or a negative remainder)
    penalty = float(rng.choice([15.0, 40.0, 1000.0]))
    return cost, capacity, penalty


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("kind", ["plain", "tight", "negative", "ties"])
def test_solver_equals_brute_force(seed, kind):
    rng = np.random.default_rng(1000 * seed + len(kind))
    for _ in range(20):
        cost, capacity, penalty = random_instance(
            rng, tight=kind == "tight", negative=kind == "negative", ties=kind == "ties"
        )
        k = int(rng.integers(1, 5))
        res = solve_assignment(cost, capacity, penalty=penalty, k=k)
        assert res.certified
        check_plan(res, cost, capacity, penalty)
        assert res.total_cost == pytest.approx(brute_force(cost, capacity, penalty), abs=1e-6)


def test_more_orders_than_slots_leaves_exactly_the_surplus_out():
    rng = np.random.default_rng(5)
    cost = rng.uniform(1, 30, (50, 4))
    capacity = np.array([3, 2, 0, 4])
    res = solve_assignment(cost, capacity, penalty=1000.0, k=2)
    assert res.certified and res.assigned_count == 9 and len(res.unassigned) == 41
    assert res.total_cost == pytest.approx(brute_force(cost, capacity, 1000.0), abs=1e-6)


@pytest.mark.parametrize(
    ("cost", "capacity"),
    [
        (np.zeros((0, 3)), np.array([1, 1, 1])),
        (np.zeros((4, 0)), np.zeros(0, int)),
        (np.ones((4, 3)), np.zeros(3, int)),
        (np.full((4, 3), np.inf), np.array([2, 2, 2])),
    ],
)
def test_degenerate_instances(cost, capacity):
    res = solve_assignment(cost, capacity, penalty=100.0)
    assert res.certified
    assert (res.team == -1).all()
    assert res.total_cost == pytest.approx(100.0 * cost.shape[0])


def test_potentials_certify_the_plan():
    rng = np.random.default_rng(11)
    cost = rng.uniform(0, 50, (200, 25))
    cost[rng.random(cost.shape) < 0.2] = np.inf
    capacity = rng.integers(0, 9, 25)
    penalty = 45.0
    res = solve_assignment(cost, capacity, penalty=penalty, k=3)
    assert res.certified
    eligible = (cost < penalty) & (capacity > 0)[None, :]
    reduced = cost + res.order_potential[:, None] - res.team_potential[None, :]
    assert reduced[eligible].min() >= -1e-6  # dual feasible on every eligible pair
    used = np.nonzero(res.team >= 0)[0]
    assert np.abs(reduced[used, res.team[used]]).max() <= 1e-6  # complementary slackness


def test_pricing_adds_the_pairs_the_candidates_missed():
    # Every order's cheapest team is team 0 (room for one): with one candidate each, the
    # first solve leaves all but one order out; pricing must bring in the other teams.
    rng = np.random.default_rng(3)
    n, m = 30, 6
    cost = 10 + rng.uniform(0, 5, (n, m))
    cost[:, 0] = rng.uniform(0, 1, n)
    capacity = np.array([1, 6, 6, 6, 6, 6])
    res = solve_assignment(cost, capacity, penalty=1000.0, k=1)
    assert res.certified and res.rounds >= 2 and res.edges > n
    assert res.assigned_count == n
    assert res.total_cost == pytest.approx(brute_force(cost, capacity, 1000.0), abs=1e-6)


def test_medium_instance_matches_the_dense_reference():
    rng = np.random.default_rng(21)
    n, m = 700, 90
    pts_o = rng.normal(0, 10, (n, 2))
    pts_t = rng.normal(0, 10, (m, 2))
    cost = np.linalg.norm(pts_o[:, None, :] - pts_t[None, :, :], axis=2)
    cost += rng.choice([0.0, 7.5, 15.0], (n, m))
    capacity = rng.integers(2, 12, m)
    res = solve_assignment(cost, capacity, penalty=1000.0, k=6)
    dense = dense_optimum(cost, capacity, penalty=1000.0)
    assert res.certified
    assert res.total_cost == pytest.approx(plan_cost(cost, dense, 1000.0), rel=1e-12)


def city(n, m, seed):
    """Orders and teams spread over a county, a few without a place or a known category,
    regions at village and township depth."""
    rng = np.random.default_rng(seed)
    n_cat = len(CATEGORY_INDEX)

    def seg(k):
        s = np.zeros((k, 5), np.int64)
        s[:, :3] = (1, 2, 3)
        s[:, 3] = rng.integers(10, 14, k)
        s[:, 4] = 100 + 10 * (s[:, 3] - 10) + rng.integers(0, 4, k)
        depth = np.where(rng.random(k) < 0.2, 4, 5)
        s[depth == 4, 4] = 0
        return s, depth

    o_seg, o_depth = seg(n)
    t_seg, t_depth = seg(m)
    orders = OrderArrays(
        ids=np.arange(1, n + 1),
        lat=29.25 + rng.normal(0, 0.1, n),
        lon=115.8 + rng.normal(0, 0.1, n),
        segments=o_seg,
        depth=o_depth,
        category=rng.integers(-1, n_cat, n),
    )
    orders.lat[::37] = np.nan
    capacity = rng.integers(1, 6, m)
    teams = TeamArrays(
        ids=np.arange(1, m + 1),
        lat=29.25 + rng.normal(0, 0.1, m),
        lon=115.8 + rng.normal(0, 0.1, m),
        segments=t_seg,
        depth=t_depth,
        categories=rng.integers(0, 2**n_cat, m),
        capacity=capacity,
        load=rng.binomial(capacity, 0.3),
        rating_sum=rng.uniform(0, 40, m),
        rating_count=rng.integers(0, 10, m).astype(float),
        response_hours_sum=rng.uniform(0, 200, m),
        response_count=rng.integers(0, 10, m).astype(float),
    )
    teams.lon[5] = np.nan
    return orders, teams


def test_blocked_cost_matrix_equals_the_explanation_of_every_pair():
    n, m = 2 * BLOCK_ROWS + 17, 23
    orders, teams = city(n, m, seed=4)
    weights = {**W, "distance": 1.3, "category": 9.0}
    cost = cost_matrix(orders, teams, weights, exclude_full=False)
    oi, tj = np.divmod(np.arange(n * m), m)
    totals = np.array([p["total"] for p in pair_components(orders, teams, oi, tj, weights)])
    assert np.abs(cost.ravel() - totals).max() <= 1e-3  # explanations round to 4 places
    full = cost_matrix(orders, teams, weights)
    assert np.isinf(full[:, teams.remaining <= 0]).all()
    assert np.array_equal(full[:, teams.remaining > 0], cost[:, teams.remaining > 0])


def test_unique_rows_equals_numpy_unique():
    rng = np.random.default_rng(8)
    key = np.column_stack([rng.integers(-1, 9, 3000), rng.integers(10**6, 10**6 + 40, (3000, 4))])
    uniq, inverse = _unique_rows(key)
    ref = np.unique(key, axis=0)
    assert len(uniq) == len(ref)
    assert np.array_equal(uniq[inverse], key)


def test_blocked_ranks_equal_a_plain_count():
    n, m = 3 * BLOCK_ROWS + 5, 40
    orders, teams = city(n, m, seed=9)
    plan = plan_dispatch(orders, teams, weights=W, k=3)
    cost = cost_matrix(orders, teams, W)
    assert plan.result.certified
    assert plan.total_cost == pytest.approx(brute_force(cost, teams.remaining, 1000.0), rel=1e-9)
    for e in plan.explanations:
        i = e["order_row"]
        if e["team_row"] is None:
            continue
        chosen = cost[i, e["team_row"]]
        assert e["rank"] == int((cost[i] < chosen - 1e-9).sum()) + 1
        if e["rank"] > 1:
            assert cost[i, teams.ids.tolist().index(e["cheapest_team_id"])] == cost[i].min()


def test_the_certificate_rejects_a_plan_that_is_not_optimal():
    from xinfeng.orders.dispatch_assign import _slack_ok, _ssp

    cost = np.array([[1.0, 5.0], [2.0, 9.0], [4.0, 3.0]])
    capacity = np.array([1, 2])
    rows, cols = np.nonzero(cost < 100.0)
    indptr = np.array([0, 2, 4, 6])
    team, pot = _ssp(indptr, cols, cost[rows, cols], capacity, 100.0)
    assert team.tolist() == [1, 0, 1]  # 5 + 2 + 3 beats 1 + 9 + 3
    assert _slack_ok(cost, capacity, team, pot, 100.0, 1e-9)
    worse = np.array([0, 1, 1])
    assert not _slack_ok(cost, capacity, worse, pot, 100.0, 1e-9)
    left_out = np.array([1, 0, -1])  # leaving an order out at 100 is not optimal either
    assert not _slack_ok(cost, capacity, left_out, pot, 100.0, 1e-9)
