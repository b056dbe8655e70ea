"""Auto-dispatch benchmark: 5,000 open orders × 1,000 teams with capacities (seeded).

Times our exact engine (``plan_dispatch``: cost matrix of the transparent score, sparse exact
min-cost assignment with a pricing certificate, and one explanation per order; median of
several runs), and on the same cost matrix compares its total with greedy nearest-team and
with the optimum of a dense exact solver (scipy's ``linear_sum_assignment`` over every
capacity slot). Prints one JSON line.

The machine is shared, so times alone mislead: each run is paired with a fixed CPU-bound
reference (a 1000 × 1000 float64 matrix product, single-threaded BLAS permitting) timed just
before it, and the line reports ``ours_vs_reference`` (our median over the reference's
median), the dense solver's time measured in the same run (``speedup_vs_dense``) and the load
average before and after.

    .venv/bin/python bench/bench_dispatch.py [--orders 5000 --teams 1000 --seed 20240501]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfeng.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import scipy  # noqa: E402

from xinfeng.orders.dispatch_assign import (  # noqa: E402
    dense_optimum,
    greedy_nearest,
    plan_cost,
    solve_assignment,
)
from xinfeng.orders.dispatch_plan import plan_dispatch  # noqa: E402
from xinfeng.orders.dispatch_score import (  # noqa: E402
    CATEGORY_INDEX,
    DEFAULT_WEIGHTS,
    OrderArrays,
    TeamArrays,
    cost_matrix,
    distance_matrix_km,
)

# A county-level city about 55 × 50 km (共青城 is near 29.25 N, 115.8 E): 12 townships of
# about 16 villages each; people (and so orders) cluster around village centres.
CENTER_LAT, CENTER_LON = 29.25, 115.80
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 12, 16


def make_instance(n_orders: int, n_teams: int, seed: int) -> tuple[OrderArrays, TeamArrays]:
    rng = np.random.default_rng(seed)
    n_cat = len(CATEGORY_INDEX)
    # Region ids: province 1, city 2, county 3, townships 10.., villages 1000..
    town_lat = CENTER_LAT + rng.uniform(-0.22, 0.22, TOWNSHIPS)
    town_lon = CENTER_LON + rng.uniform(-0.27, 0.27, TOWNSHIPS)
    n_vil = TOWNSHIPS * VILLAGES_PER_TOWNSHIP
    vil_town = np.repeat(np.arange(TOWNSHIPS), VILLAGES_PER_TOWNSHIP)
    vil_lat = town_lat[vil_town] + rng.normal(0, 0.035, n_vil)
    vil_lon = town_lon[vil_town] + rng.normal(0, 0.04, n_vil)
    vil_pop = rng.lognormal(0, 0.8, n_vil)
    vil_pop /= vil_pop.sum()

    def segments(vil: np.ndarray, at_township: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        seg = np.zeros((len(vil), 5), dtype=np.int64)
        seg[:, 0], seg[:, 1], seg[:, 2] = 1, 2, 3
        seg[:, 3] = 10 + vil_town[vil]
        seg[:, 4] = np.where(at_township, 0, 1000 + vil)
        return seg, np.where(at_township, 4, 5)

    o_vil = rng.choice(n_vil, n_orders, p=vil_pop)
    o_seg, o_depth = segments(o_vil, np.zeros(n_orders, bool))
    # Project categories follow demand: elderly care, health and everyday help dominate.
    cat_p = rng.dirichlet(np.ones(n_cat) * 0.8)
    orders = OrderArrays(
        ids=np.arange(1, n_orders + 1),
        lat=vil_lat[o_vil] + rng.normal(0, 0.012, n_orders),
        lon=vil_lon[o_vil] + rng.normal(0, 0.014, n_orders),
        segments=o_seg,
        depth=o_depth,
        category=rng.choice(n_cat, n_orders, p=cat_p),
    )
    t_vil = rng.choice(n_vil, n_teams, p=0.5 * vil_pop + 0.5 / n_vil)
    at_town = rng.random(n_teams) < 0.25  # township-level teams
    t_seg, t_depth = segments(t_vil, at_town)
    masks = np.zeros(n_teams, dtype=np.int64)
    for j in range(n_teams):
        if rng.random() < 0.1:
            continue  # a general team: serves anything, at half the category cost
        for c in rng.choice(n_cat, rng.integers(1, 4), replace=False, p=cat_p):
            masks[j] |= 1 << int(c)
    capacity = rng.integers(3, 16, n_teams)  # 3..15 orders at once
    load = rng.binomial(capacity, 0.15)  # what they already hold
    ratings = rng.integers(0, 40, n_teams)
    responses = rng.integers(0, 40, n_teams)
    teams = TeamArrays(
        ids=np.arange(1, n_teams + 1),
        lat=np.where(at_town, town_lat[vil_town[t_vil]], vil_lat[t_vil])
        + rng.normal(0, 0.01, n_teams),
        lon=np.where(at_town, town_lon[vil_town[t_vil]], vil_lon[t_vil])
        + rng.normal(0, 0.012, n_teams),
        segments=t_seg,
        depth=t_depth,
        categories=masks,
        capacity=capacity,
        load=load,
        rating_sum=ratings * rng.uniform(3.6, 4.9, n_teams),
        rating_count=ratings,
        response_hours_sum=responses * rng.uniform(1, 36, n_teams),
        response_count=responses,
    )
    return orders, teams


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=5000)
    ap.add_argument("--teams", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-dense", action="store_true", help="skip the slow dense reference")
    args = ap.parse_args()

    orders, teams = make_instance(args.orders, args.teams, args.seed)
    weights = dict(DEFAULT_WEIGHTS)
    penalty = weights["unassigned"]

    load_before = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    plan_dispatch(orders, teams, weights=weights)  # warm-up (imports, the compiled kernel)
    warmup_s = time.perf_counter() - t0
    ref_a = np.random.default_rng(0).random((1000, 1000))
    times, ref_times, cost_times, solve_times, plan = [], [], [], [], None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        ref_a @ ref_a
        ref_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        plan = plan_dispatch(orders, teams, weights=weights)
        times.append(time.perf_counter() - t0)
        # The two main stages on their own (not part of the end-to-end time above).
        t0 = time.perf_counter()
        stage_cost = cost_matrix(orders, teams, weights)
        cost_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        solve_assignment(stage_cost, teams.remaining, penalty=penalty)
        solve_times.append(time.perf_counter() - t0)
    res = plan.result
    ours_median = statistics.median(times)
    ref_median = statistics.median(ref_times)

    cost = cost_matrix(orders, teams, weights)
    ours = plan_cost(cost, res.team, penalty)
    remaining = teams.remaining
    t0 = time.perf_counter()
    greedy = plan_cost(cost, greedy_nearest(distance_matrix_km(orders, teams), remaining), penalty)
    greedy_s = time.perf_counter() - t0

    out = {
        "bench": "dispatch",
        "orders": args.orders,
        "teams": args.teams,
        "seed": args.seed,
        "slots": int(remaining.sum()),
        "runs": args.runs,
        "ours_s_median": round(ours_median, 4),
        "ours_s_all": [round(t, 4) for t in times],
        "target_s": 1.0,
        "ours_cost_matrix_s_median": round(statistics.median(cost_times), 4),
        "ours_solve_s_median": round(statistics.median(solve_times), 4),
        "ours_warmup_s": round(warmup_s, 3),
        "reference_matmul_1000_s_median": round(ref_median, 4),
        "reference_matmul_1000_s_all": [round(t, 4) for t in ref_times],
        "ours_vs_reference": round(ours_median / ref_median, 2),
        "ours_cost": round(ours, 3),
        "ours_unassigned": int(len(res.unassigned)),
        "ours_certified_optimal": bool(res.certified),
        "ours_solve_rounds": res.rounds,
        "ours_candidate_pairs": res.edges,
        "explanations": len(plan.explanations),
        "greedy_nearest_cost": round(greedy, 3),
        "greedy_nearest_s": round(greedy_s, 4),
        "greedy_vs_ours_pct": round(100 * (greedy - ours) / ours, 2),
    }
    if not args.no_dense:
        t0 = time.perf_counter()
        dense_team = dense_optimum(cost, remaining, penalty=penalty)
        dense_s = time.perf_counter() - t0
        dense = plan_cost(cost, dense_team, penalty)
        out.update(
            dense_cost=round(dense, 3),
            dense_s=round(dense_s, 3),
            ours_vs_dense_pct=round(100 * (ours - dense) / dense, 6),
            within_0_1_pct=bool(ours <= dense * 1.001),
            speedup_vs_dense=round(dense_s / ours_median, 1),
            dense_vs_reference=round(dense_s / ref_median, 1),
        )
    out["machine"] = {
        "cpus": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),  # others' work on the machine skews times
        "loadavg_before": load_before,  # 1, 5, 15 min
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
