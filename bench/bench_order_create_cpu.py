"""Order creation's CPU, old code against new in one run (#18 item 1).

Django CPU milliseconds (``time.thread_time``) and statements per ``POST /api/v1/orders/``
through the test client, on the order-creation bench's city (PostgreSQL, default
``postgres://postgres@127.0.0.1:5432/xf_bench_oc_cpu``, prepared as
``bench_order_create.prepare`` does when it holds no bench residents yet): a resident orders
a need in free text for a village with an Idempotency-Key, every order committed with its
event and its notice to the station's staff, as in ``bench_order_create.py``. Every village
is ordered for once first (routing cached), then ``--orders`` orders are timed; the figure
is the mean, and the median of ``--rounds`` rounds.

The baseline is a copy of the working tree's ``xinfeng`` with the paths under ``--scope``
as they were at ``--baseline`` (``git archive``; files added since stay, unused by the old
code, as other modules may import them), so other work in the tree is in both; it
runs in a child process alternating with the working tree, so both see the same load.
``--profile N``: instead, cProfile N creations of the working tree and print the top of it.

    .venv/bin/python bench/bench_order_create_cpu.py [--baseline e9b8839 --orders 300]
    .venv/bin/python bench/bench_order_create_cpu.py --profile 300
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.setdefault(
    "XINFENG_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xf_bench_oc_cpu"
)
SCOPE = (
    "xinfeng/orders/api.py xinfeng/orders/services xinfeng/orders/presenters.py "
    "xinfeng/orders/schemas.py xinfeng/orders/models.py xinfeng/notifications/services.py "
    "xinfeng/core/validation.py xinfeng/core/inserts.py xinfeng/api.py xinfeng/insights/tasks.py"
)


def _setup(code: Path):
    sys.path.insert(0, str(code))
    sys.path.insert(1, str(ROOT / "bench"))
    from _harness import ensure_database, setup_django

    ensure_database(URL)
    setup_django(tempfile.mkdtemp(prefix="xf-bench-occ-"))
    assert Path(sys.modules["xinfeng"].__file__).is_relative_to(code)


def _creator():
    """A function posting one order (``n``: which village, address), and the villages."""
    from django.db import connection
    from django.test import Client

    from xinfeng.accounts.models import ApiToken, User
    from xinfeng.regions.models import Region

    fresh = "accounts_user" not in connection.introspection.table_names()
    if fresh or not User.objects.filter(username="bench_r0").exists():
        from bench_order_create import prepare

        prepare()
    user = User.objects.get(username="bench_r0")
    villages = list(
        Region.objects.filter(level="village").order_by("pk").values_list("pk", flat=True)
    )
    from bench_order_create import order_poster

    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=user, name='bench occ')[1]}")
    return order_poster(client, villages), villages


def measure(code: Path, orders: int) -> dict:
    _setup(code)
    from django.db import connection

    create, villages = _creator()
    for n in range(len(villages) + 10):  # warm: every village's routing cached
        create(n)
    statements = []

    def log(execute, sql, params, many, context):
        statements.append(" ".join(sql.split()[:4]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(log):
        create(0)
    t0 = time.thread_time()
    for n in range(orders):
        create(n)
    cpu = (time.thread_time() - t0) / orders
    return {
        "ms": cpu * 1000,
        "queries": len(statements),
        "statements": statements,
    }


def profile(orders: int) -> None:
    import cProfile
    import pstats

    _setup(ROOT)
    create, villages = _creator()
    for n in range(len(villages) + 10):
        create(n)
    prof = cProfile.Profile(time.thread_time)
    prof.enable()
    for n in range(orders):
        create(n)
    prof.disable()
    stats = pstats.Stats(prof)
    stats.sort_stats("cumulative").print_stats(70)
    stats.sort_stats("tottime").print_stats(40)


def child(code: Path, orders: int) -> dict:
    from _harness import run_child

    return run_child(__file__, code, "--orders", str(orders))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="e9b8839")
    ap.add_argument("--scope", default=SCOPE)
    ap.add_argument("--orders", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", type=int, default=0)
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child), args.orders)))
        return
    if args.profile:
        profile(args.profile)
        return
    from _harness import baseline_tree

    base = baseline_tree(args.baseline, args.scope.split(), "xf-bench-occ-base-")
    try:
        load_before = os.getloadavg()
        runs: dict[str, list[dict]] = {"baseline": [], "current": []}
        for _ in range(args.rounds):
            runs["baseline"].append(child(base, args.orders))
            runs["current"].append(child(ROOT, args.orders))
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    b = statistics.median(r["ms"] for r in runs["baseline"])
    n = statistics.median(r["ms"] for r in runs["current"])
    print(
        json.dumps(
            {
                "bench": "order_create_cpu",
                "baseline": args.baseline,
                "orders": args.orders,
                "rounds": args.rounds,
                "baseline_ms_per_order": round(b, 2),
                "current_ms_per_order": round(n, 2),
                "baseline_ms_runs": [round(r["ms"], 2) for r in runs["baseline"]],
                "current_ms_runs": [round(r["ms"], 2) for r in runs["current"]],
                "speedup": round(b / n, 2),
                "baseline_queries": runs["baseline"][0]["queries"],
                "current_queries": runs["current"][0]["queries"],
                "baseline_statements": runs["baseline"][0]["statements"],
                "current_statements": runs["current"][0]["statements"],
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in load_after],
                "database": URL.rsplit("/", 1)[1],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
