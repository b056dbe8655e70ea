"""Benchmark: the dashboard at province scale on PostgreSQL (target < 200 ms), against the
raw aggregation it replaces.

Reads the database bench_seed.py built (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/xinfeng_bench_province; it runs bench_seed.py first
when that database has no rollups). Times, through Django's request handling (test
client, in process; the session is warm):

* the dashboard page of the province, a county and a township (median, p95 of 30);
* the same headline figures computed from the raw tables for the province and the
  county (median of 3): what the page would cost without the rollups;
* one full rollup run (what the worker does every few minutes).

Prints one JSON line.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xinfeng_bench_province"
)
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("XINFENG_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfeng.settings")
sys.path.insert(0, str(ROOT))


def ensure_seeded():
    import psycopg

    try:
        with psycopg.connect(URL) as conn:
            n = conn.execute("SELECT count(*) FROM insights_regionstat").fetchone()[0]
    except psycopg.Error:
        n = 0
    if not n:
        subprocess.run([sys.executable, str(ROOT / "bench" / "bench_seed.py")], check=True)


def timed(fn, runs):
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def raw_dashboard(region):
    """The headline figures straight from the raw tables (no rollup): one aggregate query
    per table over the region's subtree."""
    from django.db.models import Count, F, Q, Sum

    from xinfeng.activities.models import Activity
    from xinfeng.orders.models import FollowUp, Order
    from xinfeng.places.models import Site
    from xinfeng.regions.models import path_upper_bound
    from xinfeng.volunteers.models import ServiceRecord, Team, Volunteer

    lo, hi = region.path, path_upper_bound(region.path)

    def sub(field="region__path"):
        return {f"{field}__gte": lo, f"{field}__lte": hi}

    out = {}
    out["sites"] = list(
        Site.objects.open_at().filter(**sub()).values("level").annotate(n=Count("id"))
    )
    out["teams"] = Team.objects.filter(is_active=True, **sub()).count()
    out["volunteers"] = Volunteer.objects.filter(is_active=True, **sub("home_region__path")).count()
    out["service"] = ServiceRecord.objects.filter(**sub()).aggregate(h=Sum("hours"), n=Count("id"))
    out["activities"] = Activity.objects.filter(
        state__in=["published", "finished"], **sub()
    ).aggregate(n=Count("id"), online=Sum("online_viewers"), offline=Sum("checkin_count"))
    out["orders"] = list(Order.objects.filter(**sub()).values("state").annotate(n=Count("id")))
    out["ontime"] = Order.objects.filter(**sub()).aggregate(
        ok=Count("id", filter=Q(reviewed_at__lte=F("review_due_at"))),
        rating=Sum("rating_level", filter=Q(rating_is_auto=False)),
    )
    out["followups"] = FollowUp.objects.filter(status="open", **sub()).count()
    return out


def main():
    ensure_seeded()
    load_before = round(os.getloadavg()[0], 2)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from xinfeng.accounts.models import User
    from xinfeng.insights.rollup import run_rollup
    from xinfeng.regions.models import Region

    province = Region.objects.get(code="360000000000")
    county = Region.objects.filter(level="county").order_by("path").first()
    township = Region.objects.filter(level="township").order_by("path").first()
    user = User.objects.filter(is_superuser=True).first()
    client = Client()
    client.force_login(user)
    pages = {}
    for label, region in (("province", province), ("county", county), ("township", township)):
        url = f"/insights/dashboard/{region.pk}/"
        for _ in range(3):
            assert client.get(url).status_code == 200
        queries = []
        with connection.execute_wrapper(
            lambda ex, sql, p, many, ctx, q=queries: q.append(sql) or ex(sql, p, many, ctx)
        ):
            client.get(url)
        ms = timed(lambda url=url: client.get(url), REQUESTS)
        pages[label] = {
            "median_ms": round(statistics.median(ms), 1),
            "p95_ms": round(p95(ms), 1),
            "queries": len(queries),
        }
    raw = {}
    for label, region in (("province", province), ("county", county)):
        ms = timed(lambda region=region: raw_dashboard(region), 3)
        raw[label] = {"median_ms": round(statistics.median(ms), 1)}
    t0 = time.perf_counter()
    run = run_rollup(trigger="bench")
    rollup_s = time.perf_counter() - t0
    from xinfeng.orders.models import Order
    from xinfeng.volunteers.models import ServiceRecord

    median = pages["province"]["median_ms"]
    print(
        json.dumps(
            {
                "bench": "dashboard",
                "service_records": ServiceRecord.objects.count(),
                "orders": Order.objects.count(),
                "regions": Region.objects.count(),
                "pages": pages,
                "target_ms": 200,
                "meets_target": all(p["median_ms"] < 200 for p in pages.values()),
                "raw_aggregation": raw,
                "speedup_province": round(raw["province"]["median_ms"] / median, 1),
                "rollup_run_s": round(rollup_s, 1),
                "rollup_timings_s": run.timings,
                "method": "Django test client in process, warm session; medians of "
                f"{REQUESTS} requests",
                "machine": {
                    "cpus": os.cpu_count(),
                    "load_avg_1m_before": load_before,
                    "load_avg_1m_after": round(os.getloadavg()[0], 2),
                },
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
