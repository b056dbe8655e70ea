"""Benchmark: signed-in personal pages in-process — my orders (resident), my volunteer card
(volunteer) and the team inbox (team leader) — median server time per page.

Target (issue #18): each ≤ 5 ms median in-process. These pages are never served from the
public read cache (tests/activities/test_public_cache.py), so every request renders.

Seeds the demo city's places, accounts, volunteers, projects and orders into a throw-away
SQLite database (or ``XINFENG_BENCH_DATABASE_URL``, an empty PostgreSQL database; keep and
reuse one with ``XINFENG_BENCH_VAR=<dir>``), signs the demo accounts in with Django's test
client (``XINFENG_DEBUG=0``) and times ``XINFENG_BENCH_REQUESTS`` requests per page after
a few warm-up ones; a bare view answering a constant through the same client and
middleware is the floor of the same run. ``cpu_median_ms`` is this thread's CPU time
(``time.thread_time``), less distorted than wall time on a shared machine. Prints one JSON
line.

``--baseline REV`` also measures the code as it was: a copy of the working tree's
``xinfeng`` with the files under ``--scope`` (default ``xinfeng/orders``) taken from REV
(``git archive``), each side in a child process, alternating ``--rounds`` times on the same
database, so both see the same load; the line then has both sides' CPU and statements.

    .venv/bin/python bench/bench_personal.py [--baseline 9652328~1 --rounds 2]
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _harness import baseline_tree, setup_django  # noqa: E402

REQUESTS = int(os.environ.get("XINFENG_BENCH_REQUESTS", "200"))
TARGET_MS = 5.0

# (label, demo account, path)
PAGES = [
    ("my_orders", "resident", "/orders/mine/"),
    ("volunteer_card", "volunteer", "/volunteers/"),
    ("team_inbox", "teamleader", "/orders/team/"),
]

FLOOR_MODULES = {
    "bench_personal_urls.py": """
        from django.http import HttpResponse
        from django.urls import path

        from xinfeng.urls import urlpatterns as app_patterns


        def floor(request):
            return HttpResponse(b"ok", content_type="text/plain")


        urlpatterns = [path("_floor", floor), *app_patterns]
    """,
    "bench_personal_settings.py": """
        from xinfeng.settings import *  # noqa: F403

        ROOT_URLCONF = "bench_personal_urls"
    """,
}


def seed() -> None:
    from django.core.management import call_command
    from django.db import transaction

    from xinfeng.accounts.models import User
    from xinfeng.demo import accounts, orders, places, projects, volunteers
    from xinfeng.demo.context import DemoContext

    call_command("migrate", verbosity=0)
    if User.objects.filter(username="resident").exists():
        return
    ctx = DemoContext(seed=2021, scale="city", out=io.StringIO())
    for step in (places, accounts, volunteers, projects, orders):
        with transaction.atomic():
            step.generate(ctx)


def measure(client, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    times, cpu = [], []
    for _ in range(REQUESTS):
        started, started_cpu = time.perf_counter(), time.thread_time()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        # CPU time of this process: less distorted than wall time on a shared machine
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "queries": len(ctx.captured_queries),
        "bytes": len(response.content),
        "cached": "ETag" in response,  # never: personal pages bypass the public cache
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline")
    ap.add_argument("--scope", default="xinfeng/orders", help="paths, comma-separated")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        sys.path.insert(0, args.child)
    elif args.baseline:
        return compare(args)
    started = time.monotonic()
    keep = os.environ.get("XINFENG_BENCH_VAR")
    tmp = keep or tempfile.mkdtemp(prefix="xf-bench-personal-")
    Path(tmp).mkdir(parents=True, exist_ok=True)
    for name, text in FLOOR_MODULES.items():
        (Path(tmp) / name).write_text(textwrap.dedent(text))
    sys.path.insert(0, tmp)
    setup_django(tmp, hosts="testserver")
    from django.conf import settings

    settings.ROOT_URLCONF = "bench_personal_urls"
    seed()
    from django.test import Client

    from xinfeng.accounts.models import User

    result: dict = {"bench": "personal", "pages": {}}
    floor = Client()
    floor_before = measure(floor, "/_floor")["median_ms"]
    for label, username, path in PAGES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        result["pages"][label] = {"path": path, "account": username, **measure(client, path)}
    floor_after = measure(floor, "/_floor")["median_ms"]
    worst = max(p["median_ms"] for p in result["pages"].values())
    result.update(
        floor_ms=[floor_before, floor_after],
        worst_median_ms=worst,
        target_ms=TARGET_MS,
        met=worst <= TARGET_MS and not any(p["cached"] for p in result["pages"].values()),
        requests_per_page=REQUESTS,
        database=os.environ.get("XINFENG_BENCH_DATABASE_URL", "sqlite").split("@")[-1],
        load_average=[round(x, 2) for x in os.getloadavg()],
        elapsed_s=round(time.monotonic() - started, 1),
    )
    print(json.dumps(result, ensure_ascii=False))
    if not keep:
        shutil.rmtree(tmp, ignore_errors=True)


def compare(args) -> None:
    """The baseline tree and the working tree, each in children, alternating."""
    base = baseline_tree(args.baseline, args.scope.split(","), "xf-bench-personal-base-")
    var = os.environ.get("XINFENG_BENCH_VAR") or tempfile.mkdtemp(prefix="xf-bench-personal-")
    env = dict(os.environ, XINFENG_BENCH_VAR=var)  # one seeded database for every child
    runs: dict[str, list[dict]] = {"baseline": [], "current": []}
    load_before = os.getloadavg()
    sides = [("baseline", base), ("current", ROOT)]
    for i in range(args.rounds):
        # Each side goes first every other round: a load that rises or falls during the
        # run favours neither.
        for side, code in sides if i % 2 == 0 else sides[::-1]:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(code)],
                capture_output=True,
                text=True,
                env=env,
            )
            if proc.returncode:
                raise SystemExit(f"child {code} failed:\n{proc.stderr[-3000:]}")
            runs[side].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    result: dict = {
        "bench": "personal",
        "baseline": f"{args.baseline}:{args.scope}",
        "rounds": args.rounds,
        "pages": {},
    }
    for label, _user, _path in PAGES:
        row = {}
        for side, got in runs.items():
            row[f"{side}_cpu_ms"] = round(
                statistics.median(r["pages"][label]["cpu_median_ms"] for r in got), 2
            )
            row[f"{side}_queries"] = got[0]["pages"][label]["queries"]
            row[f"{side}_bytes"] = got[0]["pages"][label]["bytes"]
        result["pages"][label] = row
    result.update(
        target_ms=TARGET_MS,
        requests_per_page=REQUESTS,
        database=os.environ.get("XINFENG_BENCH_DATABASE_URL", "sqlite").split("@")[-1],
        load_before=[round(x, 2) for x in load_before],
        load_after=[round(x, 2) for x in os.getloadavg()],
    )
    print(json.dumps(result, ensure_ascii=False))
    shutil.rmtree(base, ignore_errors=True)
    if not os.environ.get("XINFENG_BENCH_VAR"):
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
