"""Exact minimum-cost assignment of orders to teams under team capacities.

The problem is a transportation problem: each order goes to at most one team, team ``j``
takes at most ``capacity[j]`` orders, an order left unassigned costs ``penalty``, and the
total cost is minimal. It is solved exactly, never greedily:

1. **Sparse candidates.** Each order keeps its ``k`` cheapest eligible teams (a pair that
   costs as much as leaving the order unassigned is never needed by some optimum, so such
   pairs are not eligible).
2. **Exact solve of the restricted problem: successive shortest paths.** On the network
   orders → teams → sink (team → sink arcs carry the capacities; order → sink is the
   penalty), orders are routed one at a time along a shortest augmenting path found by
   Dijkstra on reduced costs ``cost + π[u] − π[v]`` (non-negative by the potentials kept
   from the previous paths). The kernel (:func:`_ssp`) is compiled with numba on first use
   and cached on disk; it resets only the nodes each search touched, so an order whose
   cheapest team has room costs a handful of steps.
3. **Pricing: a certificate for the unrestricted problem.** The potentials left by step 2
   are optimal duals of the restricted problem; a pair left out of the candidates could only
   improve the plan if its reduced cost ``cost[i, j] + π[i] − π[j]`` were negative. All
   n × m pairs are checked in one vectorised pass (in cache-sized row blocks); any order
   with a violating pair brings its most violating pairs into the candidates and step 2
   runs again. When no pair violates, the plan is optimal for the full dense problem (LP
   duality; the transportation LP is integral), and ``certified`` is true.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DEFAULT_K = 24  # candidate teams per order (the cheapest); pricing adds any others needed
MAX_ROUNDS = 10
BLOCK_ROWS = 128  # rows per block in the dense passes (a cache-sized slice of the matrix)


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


def _ssp_py(indptr, cols, costs, cap, penalty):  # pragma: no cover - runs compiled
    """Successive shortest paths on orders → teams → sink. Returns (team per order, −1
    unassigned; potentials of orders, teams and the sink). Plain Python compiled by numba;
    the binary heap is written inline so the whole kernel is one compiled function."""
    n = indptr.shape[0] - 1
    m = cap.shape[0]
    sink = n + m
    nodes = n + m + 1
    n_edges = cols.shape[0]
    degree = np.zeros(m, np.int64)
    for e in range(n_edges):
        degree[cols[e]] += 1
    room = np.empty(m, np.int64)  # slots a team can use: min(capacity, orders listing it)
    off = np.zeros(m + 1, np.int64)
    for j in range(m):
        room[j] = min(max(cap[j], 0), degree[j])
        off[j + 1] = off[j] + room[j]
    held = np.empty(max(off[m], 1), np.int64)  # orders held by each team, packed
    count = np.zeros(m, np.int64)
    pos = np.full(n, -1, np.int64)
    team_of = np.full(n, -1, np.int64)
    paid = np.zeros(n)  # cost of the pair each assigned order uses
    pot = np.zeros(nodes)
    for i in range(n):  # row reduction: every order's cheapest arc has reduced cost 0
        best = penalty
        for e in range(indptr[i], indptr[i + 1]):
            if costs[e] < best:
                best = costs[e]
        pot[i] = -best
    dist = np.full(nodes, np.inf)
    done = np.zeros(nodes, np.bool_)
    pred = np.full(nodes, -1, np.int64)
    pred_cost = np.zeros(nodes)
    touched = np.empty(nodes, np.int64)
    hk = np.empty(n_edges + 2 * nodes + 8)
    hn = np.empty(n_edges + 2 * nodes + 8, np.int64)
    for s in range(n):
        # Fast path: when the shortest first arc out of s ends at the sink, or at a team with
        # room whose arc to the sink has reduced cost 0, that is a shortest path (every arc is
        # non-negative) and only s's potential moves — no search needed.
        best_r = penalty + pot[s] - pot[sink]
        best_v = sink
        best_c = penalty
        for e in range(indptr[s], indptr[s + 1]):
            v = n + cols[e]
            r = costs[e] + pot[s] - pot[v]
            if r < best_r:
                best_r = r
                best_v = v
                best_c = costs[e]
        if best_v == sink or (
            count[best_v - n] < room[best_v - n] and pot[best_v] - pot[sink] <= 0.0
        ):
            pot[s] -= best_r
            if best_v != sink:
                j = best_v - n
                q = off[j] + count[j]
                held[q] = s
                pos[s] = q
                count[j] += 1
                team_of[s] = j
                paid[s] = best_c
            continue
        nt = 0
        size = 0
        dist[s] = 0.0
        touched[nt] = s
        nt += 1
        hk[0] = 0.0
        hn[0] = s
        size = 1
        top = 0.0
        while size > 0:
            d = hk[0]
            u = hn[0]
            size -= 1
            if size > 0:  # pop: move the last entry to the root and sift it down
                hk[0] = hk[size]
                hn[0] = hn[size]
                i = 0
                while True:
                    c = 2 * i + 1
                    if c >= size:
                        break
                    if c + 1 < size and hk[c + 1] < hk[c]:
                        c += 1
                    if hk[i] <= hk[c]:
                        break
                    hk[c], hk[i] = hk[i], hk[c]
                    hn[c], hn[i] = hn[i], hn[c]
                    i = c
            if done[u] or d > dist[u]:
                continue
            done[u] = True
            if u == sink:
                top = d
                break
            # Arcs out of u: (head, original cost, reduced length).
            if u < n:
                cur = team_of[u]
                first, last = indptr[u], indptr[u + 1]
                extra = 1 if (u == s or cur >= 0) else 0  # order → sink (the penalty)
            else:
                j = u - n
                cur = -2
                first, last = off[j], off[j] + count[j]  # team → the orders it holds
                extra = 1 if count[j] < room[j] else 0  # team → sink while it has room
            for e in range(first, last + extra):
                if e == last:
                    v = sink
                    arc = penalty if u < n else 0.0
                elif u < n:
                    if cols[e] == cur:
                        continue
                    v = n + cols[e]
                    arc = costs[e]
                else:
                    v = held[e]
                    arc = -paid[v]
                if done[v]:  # settled (a rounding-level negative length must not reopen it)
                    continue
                nd = d + arc + pot[u] - pot[v]
                if nd < dist[v]:
                    if dist[v] == np.inf:
                        touched[nt] = v
                        nt += 1
                    dist[v] = nd
                    pred[v] = u
                    pred_cost[v] = arc
                    i = size  # push: append and sift up
                    hk[i] = nd
                    hn[i] = v
                    size += 1
                    while i > 0:
                        p = (i - 1) >> 1
                        if hk[p] <= hk[i]:
                            break
                        hk[p], hk[i] = hk[i], hk[p]
                        hn[p], hn[i] = hn[i], hn[p]
                        i = p
        # Scanned nodes move by (distance − length of the path): reduced costs stay ≥ 0.
        for q in range(nt):
            v = touched[q]
            if done[v]:
                pot[v] += dist[v] - top
        # Augment along sink ← … ← s: each order on the path moves to the node after it.
        v = sink
        while v != s:
            u = pred[v]
            if u < n:
                old = team_of[u]
                if old >= 0:
                    q = pos[u]
                    w = held[off[old] + count[old] - 1]
                    held[q] = w
                    pos[w] = q
                    count[old] -= 1
                if v == sink:
                    team_of[u] = -1
                    pos[u] = -1
                else:
                    j = v - n
                    q = off[j] + count[j]
                    held[q] = u
                    pos[u] = q
                    count[j] += 1
                    team_of[u] = j
                    paid[u] = pred_cost[v]
            v = u
        for q in range(nt):
            v = touched[q]
            dist[v] = np.inf
            done[v] = False
            pred[v] = -1
    return team_of, pot


_SSP = None


def _ssp(indptr, cols, costs, cap, penalty):
    """The compiled kernel (numba is imported on first use only, so importing this module
    stays cheap; the machine code is cached next to this file)."""
    global _SSP
    if _SSP is None:
        from numba import njit

        _SSP = njit(cache=True, nogil=True)(_ssp_py)
    return _SSP(
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(cols, dtype=np.int64),
        np.ascontiguousarray(costs, dtype=np.float64),
        np.ascontiguousarray(cap, dtype=np.int64),
        float(penalty),
    )


def _candidates(
    cost: np.ndarray, k: int, usable: np.ndarray, penalty: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each order's ``k`` cheapest teams, as (rows, cols) sorted by row; pairs at or above
    the penalty and teams without room are dropped."""
    n, m = cost.shape
    k = min(k, m)
    if k == 0 or n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    cand = np.argpartition(cost, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (n, 1))
    rows = np.repeat(np.arange(n), k)
    cols = cand.ravel()
    keep = (cost[rows, cols] < penalty) & usable[cols]
    return rows[keep], cols[keep]


def _pricing(
    cost: np.ndarray, pot_o: np.ndarray, pot_t: np.ndarray, penalty: float, tol: float
) -> np.ndarray:
    """Orders with an eligible pair of negative reduced cost ``cost + π_o − π_t`` (one pass
    over the dense matrix, in row blocks). ``pot_t`` is −inf for teams without room."""
    n = cost.shape[0]
    low = np.empty(n)
    for start in range(0, n, BLOCK_ROWS):
        blk = cost[start : start + BLOCK_ROWS] - pot_t
        low[start : start + len(blk)] = blk.min(axis=1)
    low += pot_o
    bad = np.nonzero(low < -tol)[0]
    if len(bad):  # pairs at or above the penalty are not eligible: look again without them
        red = np.where(cost[bad] < penalty, cost[bad] - pot_t, np.inf) + pot_o[bad, None]
        bad = bad[red.min(axis=1) < -tol]
    return bad


def _slack_ok(cost, capacity, team, pot, penalty, tol) -> bool:
    """The rest of the certificate, O(n + m): every residual arc that does not join an order
    to a team has a non-negative reduced cost, and the pairs in use have reduced cost 0
    (with :func:`_pricing`, this proves the plan optimal whatever computed it)."""
    n, m = cost.shape
    pot_o, pot_t, pot_s = pot[:n], pot[n : n + m], pot[n + m]
    assigned = team >= 0
    rows = np.nonzero(assigned)[0]
    used = cost[rows, team[rows]] + pot_o[rows] - pot_t[team[rows]]
    load = np.bincount(team[rows], minlength=m)
    return bool(
        (np.abs(used) <= tol).all()
        and (pot_t[load < capacity] - pot_s >= -tol).all()  # team → sink while it has room
        and (pot_s - pot_t[load > 0] >= -tol).all()  # sink → team it fills
        and (penalty + pot_o[assigned] - pot_s >= -tol).all()  # order → sink (drop it)
        and (pot_s - pot_o[~assigned] - penalty >= -tol).all()  # sink → order left out
    )


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
    penalty = float(penalty)
    usable = capacity > 0
    rows, cols = _candidates(cost, k, usable, penalty)
    certified, rounds = False, 0
    pot_o, pot_t = np.zeros(n), np.zeros(m)
    team = np.full(n, -1, dtype=np.int64)
    tol = 1e-9 * max(1.0, penalty)
    while rounds < max_rounds:
        rounds += 1
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        team, pot = _ssp(indptr, cols, np.ascontiguousarray(cost[rows, cols]), capacity, penalty)
        pot_o, pot_t = pot[:n], pot[n : n + m]
        if n == 0 or m == 0:
            certified = True
            break
        if not _slack_ok(cost, capacity, team, pot, penalty, tol):
            break  # never expected: the kernel's potentials do not certify its own plan
        bad = _pricing(cost, pot_o, np.where(usable, pot_t, -np.inf), penalty, tol)
        if len(bad) == 0:
            certified = True
            break
        # Each violating order brings its k most improving eligible pairs into the candidates.
        red = np.where((cost[bad] < penalty) & usable, cost[bad] - pot_t, np.inf)
        red += pot_o[bad, None]
        kk = min(k, m)
        extra = np.argpartition(red, kk - 1, axis=1)[:, :kk] if kk < m else np.arange(m)
        er = np.repeat(bad, kk)
        ec = np.broadcast_to(extra, (len(bad), kk)).ravel()
        keep = red[np.repeat(np.arange(len(bad)), kk), ec] < -tol
        pairs = np.unique(np.concatenate([rows * m + cols, er[keep] * m + ec[keep]]))
        if len(pairs) == len(rows):
            break
        rows, cols = pairs // m, pairs % m
    order_cost = np.full(n, penalty)
    assigned = np.nonzero(team >= 0)[0]
    order_cost[assigned] = cost[assigned, team[assigned]]
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
