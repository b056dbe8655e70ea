"""Benchmark: the phone list page of 100 activities, logged in.

Target (docs/design.md): median < 20 ms server time, < 60 KB HTML, a constant number of
queries (an open-source volunteer shift planner takes ~100 ms and 470 KB here).

Seeds the demo city (places, accounts, activities: 5,200 activities over two years) into
a throw-away SQLite database (or ``XINFENG_BENCH_DATABASE_URL``, which must point to an
empty database), logs in as the demo resident and requests ``/activities/`` in-process
through the whole middleware stack with ``XINFENG_DEBUG=0`` (as in production). Server
time is the wall time of each request (the process's CPU time is reported beside it: on a
busy machine it shows what the request itself costs); the baseline is the home page
measured in the same run. Query counts are compared across the first page, the second page, the near-a-village
filter and a page with a tenth of the rows. Prints one JSON line.

    .venv/bin/python bench/bench_activity_list.py
"""

import contextlib
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _harness import setup_django as _setup_django  # noqa: E402

REQUESTS = int(os.environ.get("XINFENG_BENCH_REQUESTS", "60"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def setup_django(tmp: str) -> None:
    _setup_django(tmp)


def seed() -> dict:
    from django.core.management import call_command
    from django.db import transaction

    from xinfeng.demo import accounts, activities, places
    from xinfeng.demo.context import DemoContext

    call_command("migrate", verbosity=0)
    call_command("compile_catalogs", verbosity=0, stdout=io.StringIO())
    ctx = DemoContext(seed=2021, scale="city", out=io.StringIO())
    t0 = time.perf_counter()
    for step in (places, accounts, activities):
        with transaction.atomic():
            step.generate(ctx)
    ctx.data["seed_s"] = round(time.perf_counter() - t0, 1)
    return ctx.data


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import django
    from django.db import connection

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
        "platform": platform.platform(),
    }


CPU: list[float] = []


def timed(client, path: str, params: dict, n: int) -> list[float]:
    """Wall times in ms of ``n`` requests (CPU times of the process are kept in ``CPU``:
    on a busy machine they show what the request itself costs)."""
    times = []
    CPU.clear()
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(path, params)
        times.append((time.perf_counter() - t0) * 1000)
        CPU.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def queries(client, path: str, params: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(path, params)
    return len(ctx.captured_queries)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="xf-bench-act-") as tmp:
        setup_django(tmp)
        data = seed()
        from django.test import Client

        from xinfeng.activities.models import Activity
        from xinfeng.regions.models import Region

        client = Client()
        client.force_login(data["users"]["resident"])
        first = client.get("/activities/")
        html = first.content
        rows = html.count(b'class="list-item"')
        shuikou = Region.objects.get(code="360482201200")
        scenarios = {
            "page1": {},
            "page2": {"page": 2},
            "near_village": {"near": shuikou.pk, "radius": 10000},
            "category": {"category": "health"},
        }
        for params in scenarios.values():
            timed(client, "/activities/", params, 5)  # warm up
        timed(client, "/", {}, 5)
        runs, baseline_runs, cpu_runs, baseline_cpu = [], [], [], []
        for _ in range(RUNS):
            runs.append(statistics.median(timed(client, "/activities/", {}, REQUESTS)))
            cpu_runs.append(statistics.median(CPU))
            baseline_runs.append(statistics.median(timed(client, "/", {}, REQUESTS)))
            baseline_cpu.append(statistics.median(CPU))
        all_times = timed(client, "/activities/", {}, REQUESTS * 2)
        others = {
            name: round(statistics.median(timed(client, "/activities/", p, REQUESTS)), 2)
            for name, p in scenarios.items()
            if name != "page1"
        }
        counts = {name: queries(client, "/activities/", p) for name, p in scenarios.items()}
        # A page with ~a tenth of the rows: the count must not change with the row count.
        few = Activity.objects.filter(state="published").order_by("starts_at")[10:11].first()
        counts["few_rows"] = queries(
            client, "/activities/", {"date": few.starts_at.date().isoformat()}
        )
        median = statistics.median(runs)
        baseline = statistics.median(baseline_runs)
        result = {
            "benchmark": "activity_list",
            "target": {"median_ms": 20, "html_kb": 60, "queries": "constant"},
            "rows": rows,
            "median_ms": round(median, 2),
            "median_ms_runs": [round(r, 2) for r in runs],
            "median_cpu_ms": round(statistics.median(cpu_runs), 2),
            "p95_ms": round(statistics.quantiles(all_times, n=20)[18], 2),
            "html_kb": round(len(html) / 1024, 1),
            "queries": counts,
            # Pages of 100 rows, of 10 rows and other filters read the same number of queries
            # (the near-a-village filter adds one: looking the village up).
            "queries_constant": len({v for k, v in counts.items() if k != "near_village"}) == 1
            and counts["near_village"] == counts["page1"] + 1,
            "other_filters_median_ms": others,
            "baseline_home_median_ms": round(baseline, 2),
            "baseline_home_median_cpu_ms": round(statistics.median(baseline_cpu), 2),
            "ratio_to_home": round(median / baseline, 2) if baseline else None,
            "activities_in_db": Activity.objects.count(),
            "seed_s": data["seed_s"],
            "requests_per_run": REQUESTS,
            "runs": RUNS,
            "machine": machine(),
        }
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
