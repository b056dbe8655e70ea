"""Benchmark: assessment results (issue 15).

Targets: every automatic standard for every township, village, site and team of the
province demo for one quarter in < 60 s; the results page of a province in < 200 ms (from
stored results).

``XINFENG_BENCH_SCALE=city`` (default): a throw-away SQLite database (or
``XINFENG_BENCH_DATABASE_URL``, an empty database) with ``seed_demo --scale city`` (6
townships, 69 villages), the demo's scheme of the city.

``XINFENG_BENCH_SCALE=province``: the PostgreSQL database ``XINFENG_BENCH_DATABASE_URL``
(default ``postgres://postgres@127.0.0.1:5432/xinfeng_bench_assessment_province``), built
once by ``seed_demo --scale province`` in a child process (~100 counties, 1,329 townships,
18,414 villages, 27,104 sites, 12,629 teams, 1,000,000 orders, 10,000,000 service
records; ~8 min) and reused when it holds the province already. The default scheme of the
province itself is built there (``default_scheme_build`` as the demo's ``admin``) unless a
published scheme of the province exists; the demo province has no ``center`` user, so the
pages are read by a bench user who is center administrator of the province.

Measured with ``XINFENG_DEBUG=0``:

- ``compute_s`` (median of ``XINFENG_BENCH_RUNS`` runs, default 3; ``compute_runs_s``
  each): ``results_compute`` of the scheme for ``XINFENG_BENCH_PERIOD`` (default the
  first quarter of the scheme's year): every automatic figure for every unit, scores,
  ranks, stored;
- ``page_ms``: per level (township, village, site, team), the median of
  ``XINFENG_BENCH_REQUESTS`` (default 20) in-process requests of the ranking page (first
  page) and of its API (``/api/v1/assessment/schemes/<id>/results?level=…``), and the
  queries of one request;
- ``baseline_per_place``: the pattern it replaced, on ``XINFENG_BENCH_SAMPLE`` (default
  20) townships and villages: each place's automatic standards computed for that place
  alone, extrapolated to the level (``speedup_vs_per_place``: that ÷ ``compute_s``);
- ``units_by_level``: results stored per level; ``places``, ``standards``.

Prints one JSON line.

    .venv/bin/python bench/bench_assessment.py
    XINFENG_BENCH_SCALE=province .venv/bin/python bench/bench_assessment.py
"""

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _harness import setup_django as _setup_django  # noqa: E402

SCALE = os.environ.get("XINFENG_BENCH_SCALE", "city")
REQUESTS = int(os.environ.get("XINFENG_BENCH_REQUESTS", "20"))
RUNS = int(os.environ.get("XINFENG_BENCH_RUNS", "3"))
SAMPLE = int(os.environ.get("XINFENG_BENCH_SAMPLE", "20"))
PROVINCE_URL = "postgres://postgres@127.0.0.1:5432/xinfeng_bench_assessment_province"
PROVINCE_CODE = "360000000000"


def setup_django(tmp: str) -> None:
    _setup_django(tmp, hosts="testserver,127.0.0.1")


def province_database() -> float:
    """Make sure the province database exists and holds the province; build it in a child
    process when it does not (returns the seconds spent building, 0 when reused)."""
    import subprocess

    import psycopg
    from _harness import ensure_database

    url = os.environ.setdefault("XINFENG_BENCH_DATABASE_URL", PROVINCE_URL)
    ensure_database(url)
    with psycopg.connect(url) as conn:
        seeded = conn.execute(
            "SELECT to_regclass('places_region') IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM places_region WHERE code = %s)"
            " AND EXISTS (SELECT 1 FROM insights_regionstat)",
            [PROVINCE_CODE],
        ).fetchone()[0]
    env = dict(
        os.environ,
        DATABASE_URL=url,
        XINFENG_FAST_PASSWORD_HASHER="1",
        XINFENG_LOG_LEVEL="WARNING",
    )

    def manage(*args: str) -> None:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    manage("migrate", "--noinput", "-v0")  # new migrations since the build
    if seeded:
        return 0.0
    t = time.perf_counter()
    manage("seed_demo", "--scale", "province")
    return time.perf_counter() - t


def province_scheme():
    """The newest published scheme of the province, else the default scheme built now."""
    from xinfeng.accounts.models import User
    from xinfeng.assessment.models import Scheme
    from xinfeng.assessment.services.schemes import default_scheme_build
    from xinfeng.regions.models import Region

    province = Region.objects.get(code=PROVINCE_CODE)
    scheme = (
        Scheme.objects.filter(region=province, published_at__isnull=False)
        .order_by("-year", "-version")
        .first()
    )
    if scheme is None:
        admin = User.objects.get(username="admin")
        scheme = default_scheme_build(actor=admin, region=province, year=timezone_year())
    return scheme


def timezone_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def reader(scheme):
    """The center administrator of the scheme's place (the city demo's ``center``; a bench
    user at the province)."""
    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import RoleAssignment, User

    if SCALE != "province":
        return User.objects.get(username="center")
    user, created = User.objects.get_or_create(
        username="bench-assessment", defaults={"display_name": "考核基准"}
    )
    if created:
        RoleAssignment.objects.create(user=user, role=Role.CENTER_ADMIN, region=scheme.region)
    return user


def per_place_baseline(scheme, period_key: str) -> dict:
    """The pattern the set-based run replaced, measured on a sample: every automatic place
    standard of a level computed for one place at a time (each place's own grouped
    queries, bounded by its subtree), extrapolated to all the places of the level."""
    import random

    from xinfeng.assessment.choices import Method
    from xinfeng.assessment.compute import parse_period
    from xinfeng.assessment.compute_places import place_figures
    from xinfeng.assessment.units import units_of

    period = parse_period(period_key)
    out = {}
    for level in ("township", "village"):
        metrics = list(
            scheme.nodes.filter(level=level, method=Method.AUTOMATIC).values_list(
                "metric", flat=True
            )
        )
        units = units_of(scheme, level)
        sample = random.Random(15).sample(units, min(SAMPLE, len(units)))
        t = time.perf_counter()
        for unit in sample:
            for metric in metrics:
                place_figures(metric, [unit.region], period)
        per_place = (time.perf_counter() - t) / max(len(sample), 1)
        out[level] = {
            "sample": len(sample),
            "per_place_ms": round(per_place * 1000, 1),
            "extrapolated_s": round(per_place * len(units), 1),
        }
    out["extrapolated_s"] = round(sum(v["extrapolated_s"] for v in out.values()), 1)
    return out


def main() -> None:
    build_s = 0.0
    if SCALE == "province":
        build_s = province_database()
    tmp = tempfile.mkdtemp(prefix="xinfeng-bench-assessment-")
    setup_django(tmp)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xinfeng.assessment.choices import Method, NodeKind
    from xinfeng.assessment.models import Result, Scheme
    from xinfeng.assessment.services.results import results_compute

    if SCALE == "province":
        scheme = province_scheme()
    else:
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", "--scale", SCALE, stdout=StringIO())
        build_s = time.perf_counter() - t
        scheme = Scheme.objects.order_by("pk").first()
    period = os.environ.get("XINFENG_BENCH_PERIOD", f"{scheme.year}-Q1")
    runs, cpu = [], []
    for _ in range(RUNS):
        t, c = time.perf_counter(), time.process_time()
        places = results_compute(scheme=scheme, period_key=period)
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)

    baseline = per_place_baseline(scheme, period)

    client = Client()
    client.force_login(reader(scheme))

    def measure(url: str) -> dict:
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(REQUESTS):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "queries": len(queries),
        }

    page = f"/assessment/schemes/{scheme.pk}/results/?period={period}"
    api = f"/api/v1/assessment/schemes/{scheme.pk}/results?period={period}&limit=50"
    pages = {}
    for level in ("township", "village", "site", "team"):
        pages[level] = {
            "page": measure(f"{page}&level={level}"),
            "api": measure(f"{api}&level={level}"),
        }
    by_level = dict(
        Result.objects.filter(scheme=scheme, period=period)
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    worst_page = max(p[k]["median_ms"] for p in pages.values() for k in ("page", "api"))
    compute_s = statistics.median(runs)
    print(
        json.dumps(
            {
                "bench": "assessment",
                "scale": SCALE,
                "database": connection.vendor,
                "period": period,
                "places": places,
                "results_stored": Result.objects.filter(scheme=scheme, period=period).count(),
                "standards": scheme.nodes.filter(kind=NodeKind.STANDARD).count(),
                "automatic": scheme.nodes.filter(method=Method.AUTOMATIC).count(),
                "build_s": round(build_s, 1),
                "compute_s": round(compute_s, 2),
                "compute_runs_s": [round(t, 2) for t in runs],
                # This process's CPU (Python); the rest of the wall time is the database
                # and, on a loaded machine, waiting for a core.
                "compute_cpu_s": round(statistics.median(cpu), 2),
                "compute_target_s": 60,
                "baseline_per_place": baseline,
                "speedup_vs_per_place": round(baseline["extrapolated_s"] / compute_s, 1),
                "units_by_level": by_level,
                "page_ms": pages,
                "page_target_ms": 200,
                "meets_targets": compute_s < 60 and worst_page < 200,
                "requests": REQUESTS,
                "load_avg_1m": round(os.getloadavg()[0], 2),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
