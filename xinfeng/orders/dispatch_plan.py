"""Array-level dispatch: rank teams for one order and plan a batch, with explanations.

No database here: callers hand in :class:`~xinfeng.orders.dispatch_score.OrderArrays` and
:class:`~xinfeng.orders.dispatch_score.TeamArrays` (``xinfeng.orders.dispatch`` builds them
from the models), so the benchmark and the tests exercise exactly the production code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from .dispatch_assign import BLOCK_ROWS, DEFAULT_K, AssignmentResult, solve_assignment
from .dispatch_score import OrderArrays, TeamArrays, cost_matrix, get_weights, pair_components


@dataclass
class DispatchPlan:
    """A batch plan: the solver's result plus one explanation per order (same order as
    the input rows)."""

    result: AssignmentResult
    explanations: list[dict]
    weights: dict[str, float]

    @property
    def total_cost(self) -> float:
        return self.result.total_cost


def rank_teams(
    orders: OrderArrays,
    teams: TeamArrays,
    row: int = 0,
    *,
    limit: int = 5,
    include_full: bool = False,
    weights: dict[str, float] | None = None,
) -> list[dict]:
    """The ``limit`` cheapest teams for order ``row``: each with its total, its components
    (value, weight, cost) and whether it is at capacity. Teams at capacity are left out
    unless ``include_full``, in which case they come last, flagged ``full``."""
    w = weights or get_weights(None)
    if len(teams) == 0:
        return []
    one = OrderArrays(
        ids=orders.ids[row : row + 1],
        lat=orders.lat[row : row + 1],
        lon=orders.lon[row : row + 1],
        segments=orders.segments[row : row + 1],
        depth=orders.depth[row : row + 1],
        category=orders.category[row : row + 1],
        project=None if orders.project is None else orders.project[row : row + 1],
    )
    cost = cost_matrix(one, teams, w, exclude_full=False)[0]
    full = teams.remaining <= 0
    # Cheapest first, ties by team id; teams at capacity after all others (or left out).
    order = np.lexsort((teams.ids, cost, full))
    ranked = [int(j) for j in order if include_full or not full[j]][:limit]
    parts = pair_components(one, teams, np.zeros(len(ranked), dtype=np.int64), np.array(ranked), w)
    out = []
    for pos, (j, p) in enumerate(zip(ranked, parts, strict=True), start=1):
        out.append(
            {
                "rank": pos,
                "team_row": int(j),
                "team_id": int(teams.ids[j]),
                "full": bool(full[j]),
                "load": int(teams.load[j]),
                "capacity": int(teams.capacity[j]),
                **p,
            }
        )
    return out


def _best_and_rank(cost: np.ndarray, team: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per order: the cheapest team, its cost, and the rank of the chosen team among all
    teams (1 = cheapest); one pass over the dense matrix in cache-sized row blocks."""
    n, m = cost.shape
    best = np.full(n, -1, dtype=np.int64)
    best_cost = np.full(n, np.inf)
    rank = np.ones(n, dtype=np.int64)
    if m == 0:
        return best, best_cost, rank
    for start in range(0, n, BLOCK_ROWS):
        blk = cost[start : start + BLOCK_ROWS]
        rows = np.arange(len(blk))
        tb = team[start : start + len(blk)]
        best[start : start + len(blk)] = b = np.argmin(blk, axis=1)
        best_cost[start : start + len(blk)] = blk[rows, b]
        chosen = np.where(tb >= 0, blk[rows, np.maximum(tb, 0)], np.inf)
        rank[start : start + len(blk)] += (blk < (chosen - 1e-9)[:, None]).sum(axis=1)
    return best, best_cost, rank


def plan_dispatch(
    orders: OrderArrays,
    teams: TeamArrays,
    *,
    weights: dict[str, float] | None = None,
    k: int = DEFAULT_K,
    cost: np.ndarray | None = None,
) -> DispatchPlan:
    """Assign a batch of open orders to teams at minimum total cost under the teams'
    remaining capacities (exact; see :mod:`~xinfeng.orders.dispatch_assign`) and explain
    every choice: the components of the chosen pair, where that team ranks for the order,
    and — when it is not the cheapest — which cheaper team was used up by other orders."""
    w = weights or get_weights(None)
    if cost is None:
        cost = cost_matrix(orders, teams, w)
    result = solve_assignment(cost, teams.remaining, penalty=w["unassigned"], k=k)
    n = len(orders)
    explanations: list[dict] = []
    if n == 0:
        return DispatchPlan(result=result, explanations=explanations, weights=w)
    team = result.team
    assigned = np.nonzero(team >= 0)[0]
    parts = pair_components(orders, teams, assigned, team[assigned], w)
    by_row = dict(zip(assigned.tolist(), parts, strict=True))
    best, best_cost, rank = _best_and_rank(cost, team)
    cheapest = _("综合成本最低的队伍")
    displaced = _(
        "成本更低的队伍的余量已用于其他订单；在总成本最低的方案中，"
        "本单选第 %(rank)s 名的队伍，多出 %(extra).1f"
    )
    no_team = _("没有仍有余量的队伍可以承接")
    too_dear = _("所有可承接队伍的成本都高于不派单的代价")
    no_room = _("容量不足：可承接队伍的余量已用于总成本更低的安排")
    ids, team_ids = orders.ids.tolist(), teams.ids.tolist()
    team_l, rank_l, best_l = team.tolist(), rank.tolist(), best.tolist()
    best_cost_l, paid_l = best_cost.tolist(), result.order_cost.tolist()
    unassigned = w["unassigned"]
    for i in range(n):
        j = team_l[i]
        if j >= 0:
            r = rank_l[i]
            entry = {
                "order_row": i,
                "order_id": ids[i],
                "team_row": j,
                "team_id": team_ids[j],
                "rank": r,
                **by_row[i],
            }
            if r == 1:
                entry["reason"] = cheapest
            else:
                extra = paid_l[i] - best_cost_l[i]
                entry["cheapest_team_id"] = team_ids[best_l[i]]
                entry["cheapest_cost"] = round(best_cost_l[i], 4)
                entry["extra_cost"] = round(extra, 4)
                entry["reason"] = displaced % {"rank": r, "extra": extra}
        else:
            entry = {
                "order_row": i,
                "order_id": ids[i],
                "team_row": None,
                "team_id": None,
                "rank": None,
                "total": unassigned,
            }
            if not math.isfinite(best_cost_l[i]):
                entry["reason"] = no_team
            elif best_cost_l[i] >= unassigned:
                entry["reason"] = too_dear
            else:
                entry["reason"] = no_room
        explanations.append(entry)
    return DispatchPlan(result=result, explanations=explanations, weights=w)
