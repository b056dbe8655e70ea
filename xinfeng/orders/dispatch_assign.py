"""Exact minimum-cost assignment of orders to teams under team capacities (pure numpy/scipy).

The problem is a transportation problem: each order goes to at most one team, team ``j``
takes at most ``capacity[j]`` orders, an order left unassigned costs ``penalty``, and the
total cost is minimal. It is solved exactly, never greedily:

1. **Sparse candidates.** Each order keeps its ``k`` cheapest eligible teams.
2. **Exact solve of the restricted problem.** Every team is expanded into as many slots as
   it can still use (``min(capacity, orders that list it)``), every order gets a private
   "unassigned" column at the penalty, and the minimum-weight full bipartite matching of
   that sparse graph is found by LAPJVsp (``scipy.sparse.csgraph.
   min_weight_full_bipartite_matching``).
3. **Pricing: a certificate for the unrestricted problem.** Node potentials are computed on
   the residual graph of that solution (Bellman–Ford, vectorised); a pair left out of the
   candidates could only improve the plan if its reduced cost
   ``cost[i, j] + π[i] − π[j]`` were negative. All n × m pairs are checked at once; any
   violating pair joins the candidates and step 2 runs again. When no pair violates, the
   plan is optimal for the full dense problem (LP duality: the transportation LP is
   integral), and ``certified`` is true.

An edge that costs as much as leaving the order unassigned is never needed by some optimum,
so such edges are dropped up front.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

DEFAULT_K = 24  # candidate teams per order (the cheapest); pricing adds any others needed
MAX_ROUNDS = 10


@dataclass
class AssignmentResult:
    """The plan: ``team[i]`` is the team row order ``i`` goes to, or −1 (unassigned)."""

    team: np.ndarray
    order_cost: np.ndarray  # cost paid for each order (the penalty when unassigned)
    total_cost: float
    penalty: float
    rounds: int  # exact solves (1 + pricing rounds that added pairs)
    certified: bool  # no left-out pair has a negative reduced cost: globally optimal
    edges: int  # candidate pairs in the final restricted problem
    order_potential: np.ndarray = field(repr=False)
    team_potential: np.ndarray = field(repr=False)

    @property
    def unassigned(self) -> np.ndarray:
        return np.nonzero(self.team < 0)[0]

    @property
    def assigned_count(self) -> int:
        return int((self.team >= 0).sum())


def _candidates(cost: np.ndarray, k: int, penalty: float) -> tuple[np.ndarray, np.ndarray]:
    n, m = cost.shape
    k = min(k, m)
    if k == 0 or n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if k < m:
        cand = np.argpartition(cost, k - 1, axis=1)[:, :k]
    else:
        cand = np.broadcast_to(np.arange(m), (n, m))
    rows = np.repeat(np.arange(n), cand.shape[1])
    cols = cand.ravel()
    keep = cost[rows, cols] < penalty  # also drops inf (ineligible)
    return rows[keep], cols[keep]


def _solve_restricted(
    cost: np.ndarray,
    capacity: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    penalty: float,
    *,
    unassigned_columns: bool = True,
) -> np.ndarray | None:
    """Exact optimum over the candidate pairs; returns the team per order (−1 unassigned).

    Without ``unassigned_columns`` every order must be placed (half the columns, about twice
    as fast); returns None when the candidates admit no such plan."""
    n, m = cost.shape
    team = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return team
    degree = np.bincount(cols, minlength=m)
    slots = np.minimum(capacity, degree).astype(np.int64)
    slot_start = np.concatenate([[0], np.cumsum(slots)])
    n_slots = int(slot_start[-1])
    reps = slots[cols]
    r = np.repeat(rows, reps)
    t = np.repeat(cols, reps)
    offset = np.arange(len(r)) - np.repeat(np.cumsum(reps) - reps, reps)
    c = slot_start[t] + offset
    # +1 keeps every weight positive so no edge is an implicit zero; every order is matched
    # exactly once, so the shift adds n to every plan and changes nothing.
    w = cost[r, t] + 1.0
    if unassigned_columns:
        r = np.concatenate([r, np.arange(n)])
        c = np.concatenate([c, n_slots + np.arange(n)])
        w = np.concatenate([w, np.full(n, penalty + 1.0)])
        graph = csr_matrix((w, (r, c)), shape=(n, n_slots + n))
    elif n_slots < n:
        return None
    else:
        graph = csr_matrix((w, (r, c)), shape=(n, n_slots))
    try:
        row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    except ValueError:  # no full matching: some order has no room among its candidates
        return None
    slot_team = np.repeat(np.arange(m), slots)
    real = col_ind < n_slots
    team[row_ind[real]] = slot_team[col_ind[real]]
    return team


def _potentials(
    cost: np.ndarray,
    capacity: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    team: np.ndarray,
    penalty: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Shortest-path potentials on the residual graph of the plan (None: a negative cycle,
    i.e. the plan is not optimal over the candidates — never expected).

    Nodes: orders 0..n−1, teams n..n+m−1, the sink n+m. Residual arcs: order→team for an
    unused pair (cost c), team→order for a used one (−c), team→sink while the team has room,
    sink→team when it holds orders, order→sink if assigned (penalty) and sink→order if not
    (−penalty). Potentials start at 0 (a virtual root linked to every node)."""
    n, m = cost.shape
    sink = n + m
    used = team[rows] == cols
    load = np.bincount(team[team >= 0], minlength=m)
    room = np.nonzero(load < capacity)[0]
    held = np.nonzero(load > 0)[0]
    asg = np.nonzero(team >= 0)[0]
    una = np.nonzero(team < 0)[0]
    src = np.concatenate(
        [
            rows[~used],
            n + cols[used],
            n + room,
            np.full(len(held), sink),
            asg,
            np.full(len(una), sink),
        ]
    )
    dst = np.concatenate(
        [
            n + cols[~used],
            rows[used],
            np.full(len(room), sink),
            n + held,
            np.full(len(asg), sink),
            una,
        ]
    )
    w = np.concatenate(
        [
            cost[rows[~used], cols[~used]],
            -cost[rows[used], cols[used]],
            np.zeros(len(room) + len(held)),
            np.full(len(asg), penalty),
            np.full(len(una), -penalty),
        ]
    )
    order = np.argsort(dst, kind="stable")
    src, dst, w = src[order], dst[order], w[order]
    targets, starts = np.unique(dst, return_index=True)
    d = np.zeros(n + m + 1)
    tol = 1e-9 * max(1.0, penalty)
    for _ in range(n + m + 2):
        best = np.minimum.reduceat(d[src] + w, starts)
        improve = best < d[targets] - tol
        if not improve.any():
            return d[:n], d[n : n + m]
        d[targets[improve]] = best[improve]
    return None


def solve_assignment(
    cost: np.ndarray,
    capacity: np.ndarray,
    *,
    penalty: float,
    k: int = DEFAULT_K,
    max_rounds: int = MAX_ROUNDS,
) -> AssignmentResult:
    """Assign orders (rows of ``cost``) to teams (columns) at minimum total cost.

    ``cost[i, j]`` is ``inf`` where team ``j`` may not take order ``i``; ``capacity[j]`` is
    how many more orders team ``j`` may take; ``penalty`` is the cost of leaving an order
    unassigned. Exact over the full matrix when ``certified`` (see the module docstring).
    """
    cost = np.asarray(cost, dtype=np.float64)
    capacity = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
    n, m = cost.shape
    eligible = cost.copy()
    eligible[:, capacity <= 0] = np.inf
    eligible[eligible >= penalty] = np.inf
    # Candidates: each order's k cheapest teams.
    rows, cols = _candidates(eligible, k, np.inf)
    certified, rounds = False, 0
    pot_o, pot_t = np.zeros(n), np.zeros(m)
    team = np.full(n, -1, dtype=np.int64)
    tol = 1e-9 * max(1.0, penalty)
    # First try to place every order (faster); the certificate below rejects that plan if
    # leaving some order out would have been cheaper, and we fall back to the full model.
    place_all = int(capacity.sum()) >= n
    while rounds < max_rounds:
        rounds += 1
        plan = None
        if place_all:
            plan = _solve_restricted(
                eligible, capacity, rows, cols, penalty, unassigned_columns=False
            )
        if plan is not None:
            pots = _potentials(eligible, capacity, rows, cols, plan, penalty)
            if pots is None:
                place_all, plan = False, None
        if plan is None:
            plan = _solve_restricted(eligible, capacity, rows, cols, penalty)
            pots = _potentials(eligible, capacity, rows, cols, plan, penalty)
        team = plan
        if pots is None:
            break
        pot_o, pot_t = pots
        reduced = eligible + pot_o[:, None]
        reduced -= pot_t[None, :]
        assigned = np.nonzero(team >= 0)[0]
        reduced[assigned, team[assigned]] = np.inf  # the pairs in use
        bad = np.nonzero(reduced.min(axis=1) < -tol)[0]
        if len(bad) == 0:
            certified = True
            break
        # Each violating order brings its k most improving pairs into the candidates.
        kk = min(k, m)
        extra = np.argpartition(reduced[bad], kk - 1, axis=1)[:, :kk]
        er, ec = np.repeat(bad, kk), extra.ravel()
        keep = reduced[er, ec] < -tol
        pairs = np.unique(np.concatenate([rows * m + cols, er[keep] * m + ec[keep]]))
        if len(pairs) == len(rows):
            break
        rows, cols = pairs // m, pairs % m
    order_cost = np.where(
        team >= 0, eligible[np.arange(n), np.maximum(team, 0)] if m else penalty, penalty
    )
    return AssignmentResult(
        team=team,
        order_cost=order_cost,
        total_cost=float(order_cost.sum()),
        penalty=penalty,
        rounds=rounds,
        certified=certified,
        edges=len(rows),
        order_potential=pot_o,
        team_potential=pot_t,
    )


def greedy_nearest(distance: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """The baseline we must beat: orders in turn, each to the nearest team with room left
    (−1 when none). Returns the team per order."""
    n, m = distance.shape
    left = np.maximum(np.asarray(capacity, dtype=np.int64), 0).copy()
    team = np.full(n, -1, dtype=np.int64)
    if m == 0:
        return team
    ranking = np.argsort(distance, axis=1, kind="stable")
    for i in range(n):
        for j in ranking[i]:
            if left[j] > 0 and np.isfinite(distance[i, j]):
                left[j] -= 1
                team[i] = j
                break
    return team


def dense_optimum(cost: np.ndarray, capacity: np.ndarray, *, penalty: float) -> np.ndarray:
    """Reference solver for tests and the benchmark: ``linear_sum_assignment`` on the full
    dense matrix of capacity slots plus one unassigned column per order. Slow (seconds at
    5,000 × 1,000) but obviously exact. Returns the team per order."""
    from scipy.optimize import linear_sum_assignment

    n, m = cost.shape
    capacity = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
    slot_team = np.repeat(np.arange(m), np.minimum(capacity, n))
    big = penalty * 10 + 1.0
    slots = np.where(np.isfinite(cost[:, slot_team]), cost[:, slot_team], big)
    slots = np.minimum(slots, big)
    if len(slot_team) >= n and bool((slots < penalty).all()):
        # Everyone can be served below the penalty: an optimum leaves no order out (a left-out
        # order could take a free slot for less), so the unassigned columns are not needed.
        full = slots
    else:
        dummy = np.full((n, n), big)
        np.fill_diagonal(dummy, penalty)
        full = np.hstack([slots, dummy])
    r, c = linear_sum_assignment(full)
    team = np.full(n, -1, dtype=np.int64)
    real = c < len(slot_team)
    team[r[real]] = slot_team[c[real]]
    # A pair at or above the penalty is no better than leaving the order unassigned.
    bad = (team >= 0) & ~(cost[np.arange(n), np.maximum(team, 0)] < penalty)
    team[bad] = -1
    return team


def plan_cost(cost: np.ndarray, team: np.ndarray, penalty: float) -> float:
    n = len(team)
    if n == 0:
        return 0.0
    c = np.where(team >= 0, cost[np.arange(n), np.maximum(team, 0)], penalty)
    return float(np.where(np.isfinite(c), c, penalty).sum())
