"""Order creation API: sustained orders per second with concurrent clients, zero errors.

Target (docs/design.md): ≥ 200 orders/s sustained, zero errors.

A fresh PostgreSQL database with the demo city (places, accounts) and 200 residents, each
with an API token; gunicorn serves it with production settings. ``CLIENTS`` threads, each
a resident on their own connection, post orders (``POST /api/v1/orders/`` with an
Idempotency-Key, a village, an address, a need in free text) as fast as answers come back
for ``DURATION`` seconds after a warm-up. Every answer must be 201; the database must hold
exactly the orders acknowledged. Rate = acknowledged orders / seconds, and the slowest
one-second window (sustained, not a burst). Median of ``RUNS`` runs. One JSON line.

    .venv/bin/python bench/bench_order_create.py
    XINFENG_BENCH_DURATION=5 .venv/bin/python bench/bench_order_create.py   # quick run
"""

import json
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_order_list import django_setup, ensure_database, gunicorn, machine  # noqa: E402

URL = os.environ.get(
    "XINFENG_BENCH_CREATE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xf_bench_order_create"
)
CLIENTS = int(os.environ.get("XINFENG_BENCH_CLIENTS", "16"))
DURATION = float(os.environ.get("XINFENG_BENCH_DURATION", "20"))
WARMUP = 3.0
RUNS = int(os.environ.get("XINFENG_BENCH_RUNS", "3"))
THREADS = int(os.environ.get("XINFENG_BENCH_THREADS", "4"))
N_RESIDENTS = 200


def prepare() -> tuple[list[str], list[int]]:
    """Fresh schema and data: the city, residents with tokens. Returns tokens, village ids."""
    import io

    from django.core.management import call_command
    from django.db import transaction

    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import ApiToken, RoleAssignment, User
    from xinfeng.demo import accounts, places
    from xinfeng.demo.context import DemoContext

    call_command("migrate", verbosity=0)
    call_command("flush", verbosity=0, interactive=False)
    ctx = DemoContext(seed=2021, scale="city", out=io.StringIO())
    with transaction.atomic():
        places.generate(ctx)
        accounts.generate(ctx)
    villages = [r for r in ctx.data["regions"].values() if r.level == "village"]
    users = User.objects.bulk_create(
        [
            User(username=f"bench_r{i}", password="!", home_region=villages[i % len(villages)])
            for i in range(N_RESIDENTS)
        ]
    )
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=Role.RESIDENT, region_id=u.home_region_id) for u in users]
    )
    tokens = [ApiToken.issue(user=u, name="bench")[1] for u in users]
    return tokens, [v.pk for v in villages]


def run_once(base: str, tokens: list[str], villages: list[int]) -> dict:
    import requests

    stop = threading.Event()
    measuring = threading.Event()
    lock = threading.Lock()
    stamps: list[float] = []  # completion times of acknowledged orders while measuring
    errors: list[str] = []
    acked = [0]

    def client(i: int) -> None:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {tokens[i % len(tokens)]}"
        n = 0
        while not stop.is_set():
            body = {
                "title": "家里屋顶漏水需要帮忙",
                "category": "everyday_help",
                "region_id": villages[(i + n) % len(villages)],
                "address": f"{n % 12 + 1}组{n % 60 + 1}号",
                "description": "白天家里有人，请提前电话联系。",
            }
            n += 1
            try:
                r = s.post(
                    f"{base}/api/v1/orders/",
                    json=body,
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                    timeout=30,
                )
                ok = r.status_code == 201
                detail = "" if ok else f"HTTP {r.status_code}: {r.text[:200]}"
            except requests.RequestException as exc:
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            with lock:
                if ok:
                    acked[0] += 1
                    if measuring.is_set():
                        stamps.append(time.perf_counter())
                else:
                    errors.append(detail)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(WARMUP)
    measuring.set()
    t0 = time.perf_counter()
    time.sleep(DURATION)
    measuring.clear()
    t1 = time.perf_counter()
    stop.set()
    for t in threads:
        t.join(60)
    windows = [0] * max(int(DURATION), 1)
    for ts in stamps:
        k = int(ts - t0)
        if 0 <= k < len(windows):
            windows[k] += 1
    return {
        "orders_per_s": len(stamps) / (t1 - t0),
        "slowest_second": min(windows),
        "acknowledged": acked[0],
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def main() -> None:
    ensure_database(URL)
    django_setup(URL)
    tokens, villages = prepare()
    from xinfeng.orders.models import Order

    runs = []
    # Each request waits on the database for most of its time: threads keep the CPUs busy.
    with gunicorn(URL, threads=THREADS) as (base, workers):
        for _ in range(RUNS):
            before = Order.objects.count()
            r = run_once(base, tokens, villages)
            r["stored"] = Order.objects.count() - before
            runs.append(r)
    rates = [r["orders_per_s"] for r in runs]
    errors = sum(r["errors"] for r in runs)
    consistent = all(r["stored"] == r["acknowledged"] for r in runs)
    out = {
        "bench": "order_create",
        "clients": CLIENTS,
        "gunicorn_workers": workers,
        "gunicorn_threads": THREADS,
        "duration_s": DURATION,
        "runs": RUNS,
        "orders_per_s": round(statistics.median(rates), 1),
        "orders_per_s_runs": [round(x, 1) for x in rates],
        "slowest_second": min(r["slowest_second"] for r in runs),
        "errors": errors,
        "first_error": next((r["first_error"] for r in runs if r["first_error"]), None),
        "stored_equals_acknowledged": consistent,
        "target_orders_per_s": 200,
        "meets_target": statistics.median(rates) >= 200 and errors == 0 and consistent,
        "machine": machine(),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
