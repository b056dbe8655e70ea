"""Order creation API: sustained orders per second with concurrent clients, zero errors.

Target (docs/design.md): ≥ 200 orders/s sustained, zero errors.

A fresh PostgreSQL database with the demo city (places, accounts), an operator at every
station that has none (so every order notifies someone, as in a real city) and 200
residents, each with an API token; gunicorn serves it with production settings.
``CLIENTS`` threads, each a resident on their own connection, post orders
(``POST /api/v1/orders/`` with an Idempotency-Key, a village, an address, a need in free
text) as fast as answers come back for ``DURATION`` seconds after a warm-up. Every answer
must be 201; the database must hold exactly the orders acknowledged, each with its
notice to the station's staff. Rate = acknowledged orders / seconds, and the slowest
one-second window (sustained, not a burst). Median of ``RUNS`` runs.

The machine is shared, so each run first measures the floor: the same clients against
``/healthz`` (no database) on the same gunicorn for ``FLOOR_SECONDS``; ``floor_ratio`` is
orders/s over that. In-process, with no HTTP in between, a warm creation through the
API's test client: CPU milliseconds of Django per order (``time.thread_time``) and its
queries. One JSON line.

Connection pooling (``XINFENG_BENCH_POOLERS``, comma-separated, default ``direct``): each
mode gets its own gunicorn, and the modes take turns run by run so they share the machine's
load alike: ``direct`` (persistent connections, ``CONN_MAX_AGE``), ``pgbouncer`` (a real
PgBouncer in transaction mode started on a free local port, ``XINFENG_DB_POOLER=pgbouncer``,
``XINFENG_BENCH_PGBOUNCER_POOL`` server connections) and ``pool`` (Django's built-in psycopg
pool, ``XINFENG_DB_POOL=1``). The top-level figures are the first mode's; ``poolers`` holds
each mode's median, its runs and its ratio to ``/healthz`` measured in the same run.

    .venv/bin/python bench/bench_order_create.py
    XINFENG_BENCH_DURATION=5 .venv/bin/python bench/bench_order_create.py   # quick run
    XINFENG_BENCH_POOLERS=direct,pgbouncer,pool .venv/bin/python bench/bench_order_create.py
"""

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
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
FLOOR_SECONDS = float(os.environ.get("XINFENG_BENCH_FLOOR_SECONDS", "5"))
IN_PROCESS_ORDERS = 300
THREADS = int(os.environ.get("XINFENG_BENCH_THREADS", "4"))
N_RESIDENTS = 200
POOLERS = [
    m.strip() for m in os.environ.get("XINFENG_BENCH_POOLERS", "direct").split(",") if m.strip()
]
PGBOUNCER_POOL = int(os.environ.get("XINFENG_BENCH_PGBOUNCER_POOL", "8"))


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
    staff_stations(ctx)
    return tokens, [v.pk for v in villages]


def staff_stations(ctx) -> int:
    """An operator (role and ``operators``) at every station without one. Returns how many."""
    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import RoleAssignment, User
    from xinfeng.places.models import Site
    from xinfeng.places.selectors import site_staff_users

    n = 0
    for site in Site.objects.filter(level="station").select_related("region"):
        if site_staff_users(site):
            continue
        user = User.objects.create(username=f"bench_op{site.pk}", password="!")
        RoleAssignment.objects.create(user=user, role=Role.STATION_OPERATOR, region=site.region)
        site.operators.add(user)
        n += 1
    return n


def floor(base: str) -> float:
    """Requests per second of ``/healthz`` (no database) with the same clients."""
    import requests

    stop = threading.Event()
    counts = [0] * CLIENTS

    def client(i: int) -> None:
        s = requests.Session()
        while not stop.is_set():
            if s.get(f"{base}/healthz", timeout=30).status_code == 200:
                counts[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    start, t0 = sum(counts), time.perf_counter()
    time.sleep(FLOOR_SECONDS)
    done, t1 = sum(counts), time.perf_counter()
    stop.set()
    for t in threads:
        t.join(60)
    return (done - start) / (t1 - t0)


def order_poster(client, villages: list[int]):
    """``create(n)``: the n-th order of the in-process measures, posted through ``client``
    (a test client with a resident's token) to a village taken in turn; asserts its 201."""

    def create(n: int) -> None:
        body = {
            "title": "家里屋顶漏水需要帮忙",
            "category": "everyday_help",
            "region_id": villages[n % len(villages)],
            "address": f"{n % 12 + 1}组{n % 60 + 1}号",
            "description": "白天家里有人，请提前电话联系。",
        }
        r = client.post(
            "/api/v1/orders/",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert r.status_code == 201, r.content

    return create


def in_process(tokens: list[str], villages: list[int]) -> dict:
    """CPU ms of Django per warm creation (no HTTP, no other process) and its queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    create = order_poster(Client(HTTP_AUTHORIZATION=f"Bearer {tokens[0]}"), villages)
    for n in range(len(villages) + 10):  # warm: every village's routing cached
        create(n)
    with CaptureQueriesContext(connection) as ctx:
        create(0)
    statements = [q["sql"] for q in ctx.captured_queries]  # before requests reset the log
    t0 = time.thread_time()
    for n in range(IN_PROCESS_ORDERS):
        create(n)
    cpu = (time.thread_time() - t0) / IN_PROCESS_ORDERS
    return {
        "cpu_ms_per_order": round(cpu * 1000, 2),
        "queries_per_order": len(statements),
        "queries": [" ".join(sql.split()[:4]) for sql in statements],
    }


def notified(since_pk: int) -> tuple[int, int]:
    """(orders after ``since_pk``, those of them with an ``order_submitted`` notice)."""
    from xinfeng.notifications.models import Notification
    from xinfeng.orders.models import Order

    orders = Order.objects.filter(pk__gt=since_pk).count()
    links = (
        Notification.objects.filter(kind="order_submitted", pk__gt=0)
        .values_list("link", flat=True)
        .distinct()
    )
    ids = {int(link.strip("/").rsplit("/", 1)[1]) for link in links}
    return orders, sum(1 for pk in ids if pk > since_pk)


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (gone processes count 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def _server_pids(base: str) -> dict[str, list[int]]:
    """gunicorn's processes (found by their bind address) and the PostgreSQL backends
    serving this database (the web's persistent connections, after the warm-up)."""
    from django.db import connection

    bind = base.removeprefix("http://")
    web = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "gunicorn" in cmd and bind in cmd:
                web.append(int(d.name))
    with connection.cursor() as c:
        c.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        db = [row[0] for row in c.fetchall()]
    return {"web": web, "db": db}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def pgbouncer(url: str):
    """A real PgBouncer in transaction mode in front of ``url``'s server; yields its URL and
    pid. As in tests/core/test_pgbouncer.py (runs as postgres, trust authentication)."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    port = _free_port()
    tmp = Path(tempfile.mkdtemp(prefix="xf-bench-pgbouncer-"))
    tmp.chmod(0o777)
    (tmp / "users.txt").write_text('"postgres" ""\n')
    ini = tmp / "pgbouncer.ini"
    ini.write_text(
        f"""[databases]
* = host=127.0.0.1 port=5432
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {tmp / "users.txt"}
pool_mode = transaction
default_pool_size = {PGBOUNCER_POOL}
max_client_conn = 500
logfile = {tmp / "pgbouncer.log"}
pidfile = {tmp / "pgbouncer.pid"}
"""
    )
    for f in tmp.iterdir():
        f.chmod(0o666)
    cmd = [binary, str(ini)]
    if os.geteuid() == 0:
        cmd[1:1] = ["-u", "postgres"]  # PgBouncer refuses to run as root
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("PgBouncer did not start")
        user_host, name = url.split("//", 1)[1].rsplit("/", 1)
        user = user_host.split("@", 1)[0]
        yield f"postgres://{user}@127.0.0.1:{port}/{name}", proc.pid
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def serving(mode: str):
    """gunicorn against the bench database in pooling ``mode``; yields (base, workers,
    extra pids whose CPU counts as the database's: PgBouncer)."""
    saved = {k: os.environ.get(k) for k in ("XINFENG_DB_POOLER", "XINFENG_DB_POOL")}
    os.environ.pop("XINFENG_DB_POOLER", None)
    os.environ.pop("XINFENG_DB_POOL", None)
    try:
        with contextlib.ExitStack() as stack:
            url, extra = URL, []
            if mode == "pgbouncer":
                url, pid = stack.enter_context(pgbouncer(URL))
                extra = [pid]
                os.environ["XINFENG_DB_POOLER"] = "pgbouncer"
            elif mode == "pool":
                os.environ["XINFENG_DB_POOL"] = "1"
            elif mode != "direct":
                raise SystemExit(f"unknown pooling mode {mode!r} (direct, pgbouncer, pool)")
            base, workers = stack.enter_context(gunicorn(url, threads=THREADS))
            yield base, workers, extra
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_once(base: str, tokens: list[str], villages: list[int], extra_db: list[int]) -> dict:
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
    pids = _server_pids(base)
    pids["db"] += extra_db
    cpu0 = {k: _cpu_seconds(v) for k, v in pids.items()}
    client0 = time.process_time()
    measuring.set()
    t0 = time.perf_counter()
    time.sleep(DURATION)
    measuring.clear()
    t1 = time.perf_counter()
    cpu = {k: _cpu_seconds(v) - cpu0[k] for k, v in pids.items()}
    cpu["client"] = time.process_time() - client0
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
        # CPU ms per acknowledged order: gunicorn (all workers), PostgreSQL (this database's
        # backends) and the bench's own client threads. Their sum bounds orders/s per core.
        "cpu_ms_per_order": {k: round(v * 1000 / max(len(stamps), 1), 2) for k, v in cpu.items()},
    }


def main() -> None:
    import secrets

    os.environ.update(
        XINFENG_DEBUG="0",
        XINFENG_SSL_REDIRECT="0",
        XINFENG_HSTS_SECONDS="0",
        XINFENG_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        XINFENG_LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("XINFENG_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("XINFENG_FIELD_KEY", secrets.token_urlsafe(32))
    ensure_database(URL)
    django_setup(URL)
    tokens, villages = prepare()
    from xinfeng.orders.models import Order

    by_mode: dict[str, list[dict]] = {m: [] for m in POOLERS}
    first_pk = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # Each request waits on the database for most of its time: threads keep the CPUs busy.
    # With several pooling modes, they take turns run by run (same load for each).
    for _ in range(RUNS):
        for mode in POOLERS:
            with serving(mode) as (base, workers, extra_db):
                healthz = floor(base)
                before = Order.objects.count()
                r = run_once(base, tokens, villages, extra_db)
                r["stored"] = Order.objects.count() - before
                r["healthz_per_s"] = healthz
                by_mode[mode].append(r)
    runs = by_mode[POOLERS[0]]
    all_runs = [r for rs in by_mode.values() for r in rs]
    orders, with_notice = notified(first_pk)
    inproc = in_process(tokens, villages)
    rates = [r["orders_per_s"] for r in runs]
    floors = [r["healthz_per_s"] for r in runs]
    ratios = [r["orders_per_s"] / r["healthz_per_s"] for r in runs]
    errors = sum(r["errors"] for r in all_runs)
    consistent = all(r["stored"] == r["acknowledged"] for r in all_runs)
    out = {
        "bench": "order_create",
        "clients": CLIENTS,
        "pooling": POOLERS[0],
        "gunicorn_workers": workers,
        "gunicorn_threads": THREADS,
        "duration_s": DURATION,
        "runs": RUNS,
        "orders_per_s": round(statistics.median(rates), 1),
        "orders_per_s_runs": [round(x, 1) for x in rates],
        "slowest_second": min(r["slowest_second"] for r in runs),
        "errors": errors,
        "first_error": next((r["first_error"] for r in all_runs if r["first_error"]), None),
        "stored_equals_acknowledged": consistent,
        "every_order_notified": orders == with_notice,
        "healthz_per_s": round(statistics.median(floors), 1),
        "healthz_per_s_runs": [round(x, 1) for x in floors],
        "floor_ratio": round(statistics.median(ratios), 4),
        "cpu_ms_per_order": {
            k: round(statistics.median(r["cpu_ms_per_order"][k] for r in runs), 2)
            for k in ("web", "db", "client")
        },
        "in_process": inproc,
        "poolers": {
            mode: {
                "orders_per_s": round(statistics.median(r["orders_per_s"] for r in rs), 1),
                "orders_per_s_runs": [round(r["orders_per_s"], 1) for r in rs],
                "healthz_per_s_runs": [round(r["healthz_per_s"], 1) for r in rs],
                "floor_ratio": round(
                    statistics.median(r["orders_per_s"] / r["healthz_per_s"] for r in rs), 4
                ),
                "slowest_second": min(r["slowest_second"] for r in rs),
                "errors": sum(r["errors"] for r in rs),
                "cpu_ms_per_order": {
                    k: round(statistics.median(r["cpu_ms_per_order"][k] for r in rs), 2)
                    for k in ("web", "db", "client")
                },
            }
            for mode, rs in by_mode.items()
        },
        "target_orders_per_s": 200,
        "meets_target": statistics.median(rates) >= 200
        and errors == 0
        and consistent
        and orders == with_notice,
        "machine": machine(),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
