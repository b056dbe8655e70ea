"""The order requests that the mixed load found costly (#18), old code against new in one run.

Django CPU milliseconds (``time.thread_time``, median of ``--reps`` calls) and statements per
call of four API requests, through the test client, on a seeded demo city (PostgreSQL,
default ``postgres://postgres@127.0.0.1:5432/xf_bench_h18disp``: a copy of the mixed-load
bench's database, ``createdb -T xinfeng_bench_mixed xf_bench_h18disp``):

- ``GET /api/v1/orders/{id}/suggestions?limit=3`` (a station operator, a pending order);
- ``POST /api/v1/orders/{id}/dispatch`` (the top suggested team);
- ``POST /api/v1/orders/{id}/approve`` (the same operator, a submitted order of the site;
  on a plain demo database the operator is made staff of one);
- ``GET /api/v1/orders/{id}`` (the requester);
- ``POST /api/v1/orders/{id}/rate`` (the requester, a completed order).

The moves run inside a transaction that is rolled back after each call, so every call moves
the same order and the database stays as it was (after-commit callbacks do not run: the
figure is the request's own work). The baseline is a copy of the working tree's ``xinfeng``
with the files under ``--scope`` (default ``xinfeng/orders``) as they were at ``--baseline``
(a git revision, ``git archive``), so other work in the tree is in both; it is measured by
this same script in a child process, alternating with the working tree (``--rounds``
each), so both see the same load.

    .venv/bin/python bench/bench_order_paths.py [--baseline 5b42118 --reps 15 --rounds 2]
"""

import argparse
import atexit
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
    "XINFENG_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xf_bench_h18disp"
)
REQUESTS = ("suggestions", "dispatch", "approve", "detail", "rate")


def measure(code: Path, reps: int) -> dict:
    """Run in a child whose ``sys.path`` starts at ``code``: one dict of medians."""
    sys.path.insert(0, str(code))
    sys.path.insert(1, str(ROOT / "bench"))
    from _harness import setup_django

    var = tempfile.mkdtemp(prefix="xf-bench-op-")
    atexit.register(shutil.rmtree, var, ignore_errors=True)
    setup_django(var)
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import ApiToken, RoleAssignment, User
    from xinfeng.orders.models import Order
    from xinfeng.places.models import Site

    assert Path(sys.modules["xinfeng"].__file__).is_relative_to(code)
    op = User.objects.filter(username__startswith="mx_op").order_by("pk").first()
    site = Site.objects.filter(operators=op).first() if op is not None else None
    pending = Order.objects.filter(site=site, state="pending_dispatch").order_by("pk").first()
    if pending is None:  # any pending order; its site's operator dispatches it
        pending = Order.objects.filter(state="pending_dispatch").order_by("pk").first()
        site = pending.site
        op = site.operators.order_by("pk").first()
        if op is None:  # a plain demo database: an operator for the site
            op, _new = User.objects.get_or_create(username=f"mx_op{site.pk}")
            site.operators.add(op)
            RoleAssignment.objects.get_or_create(
                user=op, role=Role.STATION_OPERATOR, region=pending.region
            )
    submitted = Order.objects.filter(site=site, state="submitted").order_by("pk").first()
    if submitted is None:  # the operator answers for a submitted order's site too
        submitted = Order.objects.filter(state="submitted").order_by("pk").first()
        submitted.site.operators.add(op)
        RoleAssignment.objects.get_or_create(
            user=op, role=Role.STATION_OPERATOR, region=submitted.site.region
        )
    done = Order.objects.filter(state="completed", requester__isnull=False).order_by("pk").first()
    staff = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=op, name='bench h18')[1]}"}
    resident = {
        "HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=done.requester, name='bench h18')[1]}"
    }
    c = Client()
    sugg = f"/api/v1/orders/{pending.pk}/suggestions?limit=3"
    team = c.get(sugg, **staff).json()[0]["team_id"]
    calls = {
        "suggestions": lambda: c.get(sugg, **staff),
        "dispatch": lambda: c.post(
            f"/api/v1/orders/{pending.pk}/dispatch",
            {"team_id": team, "reason": "距离最近"},
            content_type="application/json",
            **staff,
        ),
        "approve": lambda: c.post(
            f"/api/v1/orders/{submitted.pk}/approve",
            {"reason": ""},
            content_type="application/json",
            **staff,
        ),
        "detail": lambda: c.get(f"/api/v1/orders/{done.pk}", **resident),
        "rate": lambda: c.post(
            f"/api/v1/orders/{done.pk}/rate",
            {"level": 5},
            content_type="application/json",
            **resident,
        ),
    }
    out: dict = {}
    for name in REQUESTS:
        times, queries = [], 0
        for i in range(reps + 1):
            with transaction.atomic():
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.thread_time()
                    r = calls[name]()
                    dt = time.thread_time() - t0
                transaction.set_rollback(True)
            assert r.status_code == 200, (name, r.status_code, r.content[:300])
            if i:  # the first call warms caches
                times.append(dt)
                queries = len(ctx.captured_queries)
        out[name] = {"ms": statistics.median(times) * 1000, "queries": queries}
    ApiToken.objects.filter(name="bench h18").delete()
    return out


def child(code: Path, reps: int) -> dict:
    from _harness import run_child

    return run_child(__file__, code, "--reps", str(reps))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="5b42118")
    ap.add_argument("--scope", default="xinfeng/orders", help="paths, comma-separated")
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child), args.reps)))
        return
    from _harness import baseline_tree

    base = baseline_tree(args.baseline, args.scope.split(","))
    load_before = os.getloadavg()
    runs: dict[str, list[dict]] = {"baseline": [], "current": []}
    for i in range(args.rounds):
        # Each side goes first every other round: a load that rises or falls during the
        # run favours neither.
        for side, code in (("baseline", base), ("current", ROOT))[:: 1 if i % 2 == 0 else -1]:
            runs[side].append(child(code, args.reps))
    load_after = os.getloadavg()
    result: dict = {
        "bench": "order_paths",
        "baseline": f"{args.baseline}:{args.scope}",
        "reps": args.reps,
        "rounds": args.rounds,
    }
    for name in REQUESTS:
        b = statistics.median(r[name]["ms"] for r in runs["baseline"])
        n = statistics.median(r[name]["ms"] for r in runs["current"])
        result[name] = {
            "baseline_ms": round(b, 2),
            "current_ms": round(n, 2),
            "speedup": round(b / n, 2),
            "baseline_queries": runs["baseline"][0][name]["queries"],
            "current_queries": runs["current"][0][name]["queries"],
        }
    result["load_before"] = [round(x, 2) for x in load_before]
    result["load_after"] = [round(x, 2) for x in load_after]
    result["database"] = URL.rsplit("/", 1)[1]
    print(json.dumps(result, ensure_ascii=False))
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
