"""Benchmark: province-scale demo generation on PostgreSQL (target < 15 min).

Creates a fresh database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/xinfeng_bench_province), migrates it and times
``manage.py seed_demo --scale province`` in a child process: ~100 counties, ~19,000
villages and their sites, 1,000,000 volunteers, 10,000,000 service records, 1,000,000
orders, activities, then the rollups. The database is kept for bench_dashboard.py.

``XINFENG_PROVINCE_SCALE`` (default 1 = the full target) shrinks it for a quick run.
Prints one JSON line. One run by default (it takes minutes); ``BENCH_RUNS`` for more.
"""

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xinfeng_bench_province"
)
SCALE = os.environ.get("XINFENG_PROVINCE_SCALE", "1")
RUNS = int(os.environ.get("BENCH_RUNS", "1"))
TARGET_S = 15 * 60


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_avg_1m": round(os.getloadavg()[0], 2),  # other work on the machine
    }


def recreate(url: str) -> None:
    u = urlparse(url)
    name = u.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str, env: dict) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def counts(url: str) -> dict:
    tables = {
        "regions": "places_region",
        "sites": "places_site",
        "teams": "volunteers_team",
        "volunteers": "volunteers_volunteer",
        "service_records": "volunteers_servicerecord",
        "orders": "orders_order",
        "activities": "activities_activity",
        "region_stats": "insights_regionstat",
    }
    with psycopg.connect(url) as conn:
        return {
            k: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for k, t in tables.items()
        }


def main():
    env = dict(os.environ)
    env.update(
        DATABASE_URL=URL,
        XINFENG_PROVINCE_SCALE=SCALE,
        XINFENG_FAST_PASSWORD_HASHER="1",
        XINFENG_LOG_LEVEL="WARNING",
    )
    times, log = [], ""
    for _ in range(RUNS):
        recreate(URL)
        manage("migrate", "--noinput", "-v0", env=env)
        t0 = time.perf_counter()
        log = manage("seed_demo", "--scale", "province", env=env)
        times.append(time.perf_counter() - t0)
        print(log, file=sys.stderr)
    median = statistics.median(times)
    print(
        json.dumps(
            {
                "bench": "seed",
                "scale": float(SCALE),
                "seconds_median": round(median, 1),
                "seconds_runs": [round(t, 1) for t in times],
                "target_s": TARGET_S,
                "meets_target": median < TARGET_S,
                "rows": counts(URL),
                "database": URL.rsplit("@", 1)[-1],
                "machine": machine(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
