"""Order list API at 1,000,000 orders on PostgreSQL behind gunicorn.

Target (docs/design.md): p95 < 50 ms, keyset pagination, a constant number of queries.

Builds (once; reused while the row count matches) a PostgreSQL database with the real
demo city (regions, sites, demo accounts), 20,000 residents, 160 teams and N orders spread
over the villages and two years, loaded with COPY. Starts gunicorn on it and requests
``GET /api/v1/orders/`` as the people who use it — a resident (their own orders), a
station operator (one village), an institute admin (a township), the center admin (the
city), a team leader — on the first page and deep pages followed by cursor, one request at
a time (latency, not throughput). Query counts are taken in-process with Django's test
client on the same database, first page against a deep page. Prints one JSON line.

    .venv/bin/python bench/bench_order_list.py            # 1,000,000 orders
    XINFENG_BENCH_ORDERS=100000 .venv/bin/python bench/bench_order_list.py   # quick run

Environment: ``XINFENG_BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/
xf_bench_orders; the database is created if missing), ``XINFENG_BENCH_REQUESTS`` (per
scenario, default 200), ``XINFENG_BENCH_WORKERS`` (gunicorn workers, default 2 × CPUs).
"""

import contextlib
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xf_bench_orders"
BENCH_URL = os.environ.get("XINFENG_BENCH_DATABASE_URL", DEFAULT_URL)
N_ORDERS = int(os.environ.get("XINFENG_BENCH_ORDERS", "1000000"))
N_REQUESTS = int(os.environ.get("XINFENG_BENCH_REQUESTS", "200"))
N_RESIDENTS = 20_000
RUNS = 3


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfeng.settings")
    os.environ.setdefault("XINFENG_FAST_PASSWORD_HASHER", "1")
    import django

    django.setup()


def ensure_database(url: str) -> None:
    """Create the bench database if it does not exist (connect to ``postgres``)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import django
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SHOW server_version")
        pg = c.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "loadavg_1m": round(os.getloadavg()[0], 2),  # other work on the machine skews times
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "platform": platform.platform(),
    }


# --- data -------------------------------------------------------------------------------


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY ``rows`` (tuples in ``columns`` order) into the model's table."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    n = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def build_city() -> dict:
    """The demo city (places, accounts), residents, teams with a demo leader."""
    import io

    from django.db import transaction

    from xinfeng.accounts.models import User
    from xinfeng.demo import accounts, places
    from xinfeng.demo.context import DemoContext
    from xinfeng.volunteers.choices import MembershipRole, MembershipStatus, ServiceCategory
    from xinfeng.volunteers.models import Team, TeamMembership, Volunteer

    ctx = DemoContext(seed=2021, scale="city", out=io.StringIO())
    with transaction.atomic():
        places.generate(ctx)
        accounts.generate(ctx)
    rng = random.Random(7)
    villages = [r for r in ctx.data["regions"].values() if r.level == "village"]
    now = datetime.now(UTC)
    first = (User.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    copy_rows(
        User,
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "display_name",
            "home_region_id",
        ],
        (
            (
                first + i,
                "!",
                False,
                f"bench_resident_{i}",
                "",
                "",
                "",
                False,
                True,
                now,
                f"居民{i}",
                rng.choice(villages).pk,
            )
            for i in range(N_RESIDENTS)
        ),
    )
    reset_sequences(User)
    sites = list(ctx.data["institutes"].values()) + list(ctx.data["stations"].values())
    teams = Team.objects.bulk_create(
        [
            Team(
                name=f"志愿服务队{i}",
                team_type="village",
                home_site=s,
                region_id=s.region_id,
                service_categories=[rng.choice(ServiceCategory.values)],
                capacity=5,
            )
            for i, s in enumerate(sites[:160])
        ]
    )
    # The demo leader leads a village team (stations come last), which serves orders.
    leader = ctx.data["users"]["teamleader"]
    v = Volunteer.objects.create(
        number="BENCH0001", name=leader.name, home_region_id=teams[-1].region_id, user=leader
    )
    TeamMembership.objects.create(
        team=teams[-1], volunteer=v, role=MembershipRole.LEADER, status=MembershipStatus.ACTIVE
    )
    return {"villages": villages, "stations": ctx.data["stations"], "teams": teams}


def reset_sequences(*models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as c:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            c.execute(sql)


STATE_WEIGHTS = [
    ("rated", 0.86),
    ("rejected", 0.04),
    ("cancelled", 0.04),
    ("completed", 0.02),
    ("in_service", 0.005),
    ("accepted", 0.01),
    ("dispatched", 0.01),
    ("pending_dispatch", 0.01),
    ("submitted", 0.005),
]
TITLES = [
    "白衣天使乡村行",
    "颐养之家",
    "心连心课堂",
    "便民理发",
    "家电义修",
    "普法宣传",
    "屋顶漏水需要帮忙",
]


def load_orders(city: dict, n: int) -> float:
    """COPY n orders: villages weighted like populations, two years of submissions."""
    from xinfeng.accounts.models import User
    from xinfeng.orders.models import Order

    t0 = time.monotonic()
    rng = random.Random(11)
    villages = city["villages"]
    weights = [rng.lognormvariate(0, 0.8) for _ in villages]
    stations = {s.region_id: s.pk for s in city["stations"].values()}
    center_site = next(iter(city["stations"].values())).parent_id
    teams = [t.pk for t in city["teams"]]
    team_of = {}
    for t in city["teams"]:
        team_of.setdefault(t.region_id, []).append(t.pk)
    residents = list(
        User.objects.filter(username__startswith="bench_resident_").values_list("id", flat=True)
    )
    demo_resident = User.objects.get(username="resident").pk
    states = [s for s, _w in STATE_WEIGHTS]
    sweights = [w for _s, w in STATE_WEIGHTS]
    now = datetime.now(UTC)
    span = 730 * 86400
    cols = [
        "title",
        "description",
        "category",
        "channel",
        "requester_id",
        "contact_name",
        "contact_phone",
        "address",
        "region_id",
        "site_id",
        "escalation_level",
        "state",
        "is_open",
        "team_id",
        "dispatch_reason",
        "submitted_at",
        "dispatched_at",
        "completed_at",
        "rated_at",
        "overdue_count",
        "report",
        "rating_level",
        "rating_is_auto",
        "created_at",
        "updated_at",
    ]
    village_ids = [v.pk for v in villages]

    def rows():
        # Submission times ascend with the id, as they would in production.
        offsets = sorted(rng.random() for _ in range(n))
        chosen_v = rng.choices(village_ids, weights=weights, k=n)
        chosen_s = rng.choices(states, weights=sweights, k=n)
        for i in range(n):
            submitted = now - timedelta(seconds=span * (1 - offsets[i]))
            state = chosen_s[i]
            region = chosen_v[i]
            requester = (
                demo_resident
                if i % 40000 == 0
                else (rng.choice(residents) if rng.random() < 0.7 else None)
            )
            team = None
            dispatched = completed = rated = None
            if state in ("dispatched", "accepted", "in_service", "completed", "rated"):
                team = rng.choice(team_of.get(region) or teams)
                dispatched = submitted + timedelta(hours=6)
            if state in ("completed", "rated"):
                completed = submitted + timedelta(days=2)
            level = None
            if state == "rated":
                rated = submitted + timedelta(days=3)
                level = rng.choice((5, 5, 5, 4, 4, 3, 2))
            yield (
                rng.choice(TITLES),
                "",
                "health",
                "resident",
                requester,
                "王秀兰",
                "13800000001",
                "3组12号",
                region,
                stations.get(region, center_site),
                0,
                state,
                False,
                team,
                "",
                submitted,
                dispatched,
                completed,
                rated,
                0,
                "",
                level,
                False,
                submitted,
                submitted,
            )

    copy_rows(Order, cols, rows())
    reset_sequences(Order)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE")
    return time.monotonic() - t0


def prepare() -> dict:
    """Migrate and load (skipped when the database already holds N orders)."""
    from django.core.management import call_command

    from xinfeng.orders.models import Order

    call_command("migrate", verbosity=0)
    if (
        Order.objects.count() == N_ORDERS
        and Order.objects.filter(requester__username="resident").exists()
    ):
        return {"loaded": False}
    call_command("flush", verbosity=0, interactive=False)
    t0 = time.monotonic()
    city = build_city()
    load_s = load_orders(city, N_ORDERS)
    return {
        "loaded": True,
        "load_orders_s": round(load_s, 1),
        "setup_s": round(time.monotonic() - t0, 1),
    }


# --- server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, *, workers: int | None = None, threads: int = 1):
    """gunicorn serving the app on a free port against ``url`` (production settings)."""
    port = free_port()
    workers = workers or int(os.environ.get("XINFENG_BENCH_WORKERS", 2 * (os.cpu_count() or 1)))
    env = dict(
        os.environ,
        DATABASE_URL=url,
        XINFENG_DEBUG="0",
        XINFENG_SSL_REDIRECT="0",  # plain HTTP on 127.0.0.1 (production redirects to HTTPS)
        XINFENG_HSTS_SECONDS="0",
        XINFENG_SECRET_KEY=secrets.token_urlsafe(40),
        XINFENG_FIELD_KEY=os.environ.get("XINFENG_FIELD_KEY") or secrets.token_urlsafe(40),
        XINFENG_ALLOWED_HOSTS="127.0.0.1,localhost",
        XINFENG_CONN_MAX_AGE="600",
        XINFENG_LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore",
    )
    cmd = [
        str(ROOT / ".venv/bin/gunicorn"),
        "xinfeng.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        import requests

        for _ in range(200):
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base, workers
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# --- measurement ------------------------------------------------------------------------


def tokens() -> dict[str, str]:
    from xinfeng.accounts.models import ApiToken, User

    who = {
        "resident": "resident",
        "station_operator": "station",
        "institute_admin": "institute",
        "center_admin": "center",
        "team_leader": "teamleader",
    }
    return {
        k: ApiToken.issue(user=User.objects.get(username=u), name="bench")[1]
        for k, u in who.items()
    }


SCENARIOS = [
    # name, who, query string, pages deep (followed by cursor before timing)
    ("resident_mine", "resident", "?mine=true&limit=20", 0),
    ("station_first_page", "station_operator", "?limit=50", 0),
    ("station_page_20", "station_operator", "?limit=50", 20),
    ("institute_first_page", "institute_admin", "?limit=50", 0),
    ("center_first_page", "center_admin", "?limit=50", 0),
    ("center_page_200", "center_admin", "?limit=50", 200),
    ("center_submitted", "center_admin", "?state=submitted&limit=50", 0),
    ("team_leader", "team_leader", "?limit=20", 0),
]


def cursor_at(session, url: str, pages: int) -> str:
    cursor = None
    for _ in range(pages):
        data = session.get(url + (f"&cursor={cursor}" if cursor else "")).json()
        cursor = data["next_cursor"]
        if not cursor:
            break
    return url + (f"&cursor={cursor}" if cursor else "")


def time_scenarios(base: str, toks: dict[str, str]) -> dict:
    import requests

    out = {}
    for name, who, qs, deep in SCENARIOS:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {toks[who]}"
        url = cursor_at(s, f"{base}/api/v1/orders/{qs}", deep)
        for _ in range(10):  # warm the workers and their connections
            assert s.get(url).status_code == 200
        runs = []
        for _run in range(RUNS):
            lat = []
            for _ in range(N_REQUESTS):
                t = time.perf_counter()
                r = s.get(url)
                lat.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    raise RuntimeError(f"{name}: HTTP {r.status_code} {r.text[:200]}")
            lat.sort()
            runs.append(
                {
                    "p50": statistics.median(lat),
                    "p95": lat[int(0.95 * len(lat)) - 1],
                    "items": len(r.json()["items"]),
                }
            )
        out[name] = {
            "p50_ms": round(statistics.median(x["p50"] for x in runs), 2),
            "p95_ms": round(statistics.median(x["p95"] for x in runs), 2),
            "items": runs[0]["items"],
        }
    return out


def query_counts(toks: dict[str, str]) -> dict:
    """Queries per request in-process, first page vs a deep page, per user."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = {}
    for who in ("resident", "station_operator", "center_admin", "team_leader"):
        c = Client(HTTP_AUTHORIZATION=f"Bearer {toks[who]}", HTTP_HOST="127.0.0.1")
        c.get("/api/v1/orders/?limit=50")
        # connection.queries is a bounded deque: read each count right after its capture.
        reset_queries()
        with CaptureQueriesContext(connection) as first:
            data = c.get("/api/v1/orders/?limit=50").json()
        n_first = len(first.captured_queries)
        deep_url = "/api/v1/orders/?limit=50"
        for _ in range(10):
            if not data["next_cursor"]:
                break
            deep_url = f"/api/v1/orders/?limit=50&cursor={data['next_cursor']}"
            data = c.get(deep_url).json()
        reset_queries()
        with CaptureQueriesContext(connection) as deep:
            c.get(deep_url)
        out[who] = {
            "first_page": n_first,
            "deep_page": len(deep.captured_queries),
        }
    return out


def main() -> None:
    ensure_database(BENCH_URL)
    django_setup(BENCH_URL)
    info = prepare()
    toks = tokens()
    counts = query_counts(toks)
    with gunicorn(BENCH_URL) as (base, workers):
        per = time_scenarios(base, toks)
    p95s = [v["p95_ms"] for v in per.values()]
    out = {
        "bench": "order_list",
        "orders": N_ORDERS,
        "requests_per_scenario": N_REQUESTS,
        "runs": RUNS,
        "gunicorn_workers": workers,
        "p50_ms": round(statistics.median(v["p50_ms"] for v in per.values()), 2),
        "p95_ms": round(statistics.median(p95s), 2),
        "worst_p95_ms": max(p95s),
        "target_p95_ms": 50,
        "meets_target": max(p95s) < 50,
        "scenarios": per,
        "queries_per_request": counts,
        "constant_queries": all(v["first_page"] == v["deep_page"] for v in counts.values()),
        **info,
        "machine": machine(),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
