"""Sustained mixed load: residents, volunteers, staff and anonymous readers at 200 requests/s
for 5 minutes against gunicorn + PostgreSQL + the worker, driven by locust (issue #18 item 3).

Targets: 200 requests/s, 0 errors, p95 < 150 ms, p99 < 400 ms, resident memory (RSS) of
each gunicorn worker growing ≤ 20 % from after the warm-up to the end.

The database (``XINFENG_BENCH_DATABASE_URL``, default a private
``postgres://postgres@127.0.0.1:5432/xinfeng_bench_mixed``, created if missing) gets the
demo city once (``seed_demo``; reused when present). Each run then adds its own people and
things, so runs never collide: API tokens for 8 station operators (one village station
each), residents of those villages and demo volunteers; session cookies for the demo
leader, center, station, resident and volunteer; activities under way (check-in by code)
and coming (sign-up); completed orders for the residents to rate. Teams' capacities are
raised in this database so dispatching never runs out of teams (nobody accepts in the mix).

gunicorn serves it (``XINFENG_DEBUG=0``, ``XINFENG_BENCH_WORKERS`` workers, default 2 per
core, ``XINFENG_BENCH_THREADS`` threads each, default 2) with ``manage.py worker`` beside
it. locust (``bench/locustfile.py``) runs headless in a subprocess of its own — its gevent
monkey-patching never reaches this process nor the server: first a warm-up
(``XINFENG_BENCH_WARMUP`` s, default 30; not counted), then the measured run
(``XINFENG_BENCH_SECONDS``, default 300) at ``XINFENG_BENCH_RPS`` (default 200) requests/s:
every task is one request and every user makes one a second, so users = rate. The mix by
users: anonymous readers 50, residents (token) 22, volunteers (token) 18, signed-in web
pages 6 (dashboards, my orders, volunteer card, station queue, notifications) and one
station operator per station (list → approve → rank teams → dispatch).

RSS of each worker (``/proc/<pid>/status``) right after the warm-up and at the end; the
load average sampled during the run (the machine has 2 cores shared with other work: the
latencies follow it). Orders acknowledged (201) must equal orders stored. One JSON line.

    .venv/bin/python bench/bench_mixed_load.py
    XINFENG_BENCH_SECONDS=30 XINFENG_BENCH_WARMUP=10 .venv/bin/python bench/bench_mixed_load.py
"""

import csv
import io
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _harness import ensure_database, gunicorn, manage, setup_django  # noqa: E402

URL = os.environ.setdefault(
    "XINFENG_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xinfeng_bench_mixed"
)
SECONDS = int(os.environ.get("XINFENG_BENCH_SECONDS", "300"))
FLOOR_SECONDS = int(os.environ.get("XINFENG_BENCH_FLOOR_SECONDS", "20"))
WARMUP = int(os.environ.get("XINFENG_BENCH_WARMUP", "30"))
RPS = float(os.environ.get("XINFENG_BENCH_RPS", "200"))
PER_USER_RPS = 1.0
WORKERS = int(os.environ.get("XINFENG_BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))
THREADS = int(os.environ.get("XINFENG_BENCH_THREADS", "2"))
N_STATIONS = 8
N_ONGOING, N_COMING = 40, 20
TARGETS = {"rps": 200, "errors": 0, "p95_ms": 150, "p99_ms": 400, "rss_growth": 0.20}
# Share of users by kind (the locustfile's weights; staff are one per station on top).
WEIGHTS = {"anonymous": 50, "resident": 22, "volunteer": 18, "signed_in": 6}
RESIDENT_RATE_SHARE = 1 / 10  # of a resident's requests, ratings (locustfile task weights)


def seed() -> None:
    """The demo city, once: a database that already has regions is reused."""
    from django.core.management import call_command

    from xinfeng.regions.models import Region

    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        call_command("seed_demo", stdout=io.StringIO())


def _user(username: str, **fields):
    from xinfeng.accounts.models import User

    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _clone_activity(template, tag: str, i: int, starts, ends, capacity: int):
    from xinfeng.activities.models import Activity
    from xinfeng.activities.models.activity import new_checkin_code, new_nonce

    a = Activity.objects.get(pk=template.pk)
    a.pk = a.id = None
    a.title = f"压测活动 {tag}-{i}"
    a.starts_at, a.ends_at, a.capacity = starts, ends, capacity
    a.eligibility, a.team = "everyone", None
    a.checkin_code, a.qr_nonce = new_checkin_code(), new_nonce()
    for f in a._meta.concrete_fields:
        if f.name.endswith("_count") or f.name == "online_viewers":
            setattr(a, f.name, 0)
    a.save(force_insert=True)
    return a


def prepare(tag: str, users: dict[str, int], fixture_path: Path) -> dict:
    """This run's people and things; writes the locust fixture. Returns facts for the line."""
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from xinfeng.accounts.choices import Role
    from xinfeng.accounts.models import ApiToken, RoleAssignment, User
    from xinfeng.activities.models import Activity
    from xinfeng.insights.selectors import dashboard_region
    from xinfeng.orders.models import Order
    from xinfeng.orders.services import order_create
    from xinfeng.orders.services.routing import responsible_site
    from xinfeng.places.models import Site
    from xinfeng.regions.models import Region
    from xinfeng.volunteers.models import Team, Volunteer

    now = timezone.now()
    stations = []
    for village in Region.objects.filter(level="village").order_by("pk"):
        site = responsible_site(village, now)
        if site is not None and site.level == "station":
            stations.append((village, site))
        if len(stations) == N_STATIONS:
            break
    staff = []
    for village, site in stations:
        op = _user(f"mx_op{site.pk}", display_name=f"压测站长{site.pk}", home_region=village)
        RoleAssignment.objects.get_or_create(
            user=op, role=Role.STATION_OPERATOR, region=site.region
        )
        site.operators.add(op)
        staff.append({"token": ApiToken.issue(user=op, name=f"mixed {tag}")[1]})

    n_res = max(users["resident"], 40)
    residents = []
    team = Team.objects.filter(is_active=True).order_by("pk").first()
    phases = {"warmup": WARMUP, "run": SECONDS}
    per_resident = {
        k: math.ceil(secs * PER_USER_RPS * RESIDENT_RATE_SHARE * 1.5) + 2
        for k, secs in phases.items()
    }
    to_rate_total = 0
    for i in range(n_res):
        village = stations[i % len(stations)][0]
        r = _user(f"mx_r{i}", display_name=f"压测居民{i}", home_region=village)
        RoleAssignment.objects.get_or_create(user=r, role=Role.RESIDENT, region=village)
        to_rate: dict[str, list[int]] = {k: [] for k in phases}
        if i < users["resident"]:  # only the residents locust will play rate
            for phase, count in per_resident.items():
                for n in range(count):
                    order, _created = order_create(
                        actor=r,
                        region=village,
                        title="帮忙修理水管",
                        category="everyday_help",
                        address=f"{n % 12 + 1}组",
                        description="压测：已完成待评价",
                    )
                    to_rate[phase].append(order.pk)
            ids = [pk for pks in to_rate.values() for pk in pks]
            Order.objects.filter(pk__in=ids).update(
                state="completed",
                team=team,
                accepted_at=now,
                started_at=now,
                completed_at=now,
                rate_due_at=now + timedelta(days=7),
                due_at=now + timedelta(days=7),
            )
            to_rate_total += len(ids)
        residents.append(
            {
                "token": ApiToken.issue(user=r, name=f"mixed {tag}")[1],
                "region_id": village.pk,
                "to_rate": to_rate,
            }
        )

    vol_users = list(
        User.objects.filter(
            pk__in=Volunteer.objects.filter(user__isnull=False, is_active=True).values("user_id"),
            is_active=True,
        ).order_by("pk")[: max(users["volunteer"], 40)]
    )
    volunteers = [{"token": ApiToken.issue(user=u, name=f"mixed {tag}")[1]} for u in vol_users]

    template = (
        Activity.objects.filter(state="published", mode="offline", site__isnull=False)
        .order_by("pk")
        .first()
    )
    fixture_phases = {}
    coming: list = []
    with transaction.atomic():
        for phase in phases:
            ongoing = [
                _clone_activity(
                    template, tag, i, now - timedelta(minutes=10), now + timedelta(hours=4), 100_000
                )
                for i in range(N_ONGOING)
            ]
            upcoming = [
                _clone_activity(
                    template,
                    tag,
                    N_ONGOING + i,
                    now + timedelta(days=2),
                    now + timedelta(days=2, hours=3),
                    50,
                )
                for i in range(N_COMING)
            ]
            coming += upcoming
            fixture_phases[phase] = {
                "signup_activities": [a.pk for a in upcoming],
                "checkin": [{"activity_id": a.pk, "code": a.checkin_code} for a in ongoing],
            }
        Team.objects.update(capacity=1_000_000)
    browse = list(
        Activity.objects.filter(state="published")
        .order_by("-starts_at")
        .values_list("pk", flat=True)[:60]
    )

    def session(username: str, pages: list[tuple[str, str]]) -> dict:
        c = Client()
        c.force_login(User.objects.get(username=username))
        name = settings.SESSION_COOKIE_NAME
        return {"cookie": f"{name}={c.cookies[name].value}", "pages": pages}

    def board(username: str) -> str:
        return (
            f"/insights/dashboard/{dashboard_region(user=User.objects.get(username=username)).pk}/"
        )

    sessions = [
        session("leader", [(board("leader"), "GET /insights/dashboard/[id]/ (leader)")]),
        session(
            "center",
            [
                (board("center"), "GET /insights/dashboard/[id]/ (center)"),
                ("/orders/queue/", "GET /orders/queue/"),
            ],
        ),
        session(
            "station",
            [
                ("/orders/queue/", "GET /orders/queue/"),
                (board("station"), "GET /insights/dashboard/[id]/ (station)"),
            ],
        ),
        session(
            "resident",
            [
                ("/orders/mine/", "GET /orders/mine/"),
                ("/notifications/", "GET /notifications/"),
            ],
        ),
        session(
            "volunteer",
            [
                ("/volunteers/", "GET /volunteers/ (my card)"),
                ("/activities/my/", "GET /activities/my/"),
            ],
        ),
    ]
    fixture = {
        "residents": residents,
        "volunteers": volunteers,
        "staff": staff,
        "sessions": sessions,
        "browse_activities": browse + [a.pk for a in coming[:5]],
        "phases": fixture_phases,
        "sites": list(Site.objects.order_by("pk").values_list("pk", flat=True)[:80]),
    }
    fixture_path.write_text(json.dumps(fixture))
    return {
        "stations": len(staff),
        "residents": len(residents),
        "volunteers": len(volunteers),
        "orders_to_rate": to_rate_total,
        "activities_under_way": N_ONGOING * len(phases),
        "activities_coming": len(coming),
        "resident_ids": [u.pk for u in User.objects.filter(username__startswith="mx_r")],
    }


def in_process(fixture: dict, reps: int = 15) -> dict:
    """Django CPU milliseconds (``time.thread_time``, median of ``reps``) of each request
    type of the mix, through the test client in this process — no HTTP, no other process,
    so the figure does not depend on the machine's load. Anonymous reads are measured warm
    (from the public read cache), as the run mostly serves them."""
    import statistics
    import uuid
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from xinfeng.accounts.models import User
    from xinfeng.activities.models import Activity
    from xinfeng.orders.models import Order

    anon = Client()
    res = fixture["residents"][0]
    vol = fixture["volunteers"]
    staff = fixture["staff"][0]["token"]

    def bearer(token: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    out: dict[str, float] = {}

    def timed(name: str, call, expect: int = 200, n: int = reps) -> list:
        times, bodies = [], []
        for _ in range(n):
            t0 = time.thread_time()
            r = call()
            times.append(time.thread_time() - t0)
            assert r.status_code == expect, (name, r.status_code, r.content[:300])
            bodies.append(r)
        out[name] = round(statistics.median(times) * 1000, 2)
        return bodies

    act = fixture["browse_activities"][0]
    site = fixture["sites"][0]
    for path, name in [
        ("/", "GET /"),
        ("/places/sites/", "GET /places/sites/"),
        ("/activities/", "GET /activities/"),
        (f"/activities/{act}/", "GET /activities/[id]/"),
        (f"/places/sites/{site}/", "GET /places/sites/[id]/"),
        ("/open311/v2/services.json", "GET /open311/v2/services.json"),
        ("/api/v1/activities/?limit=20", "GET /api/v1/activities/ (anon)"),
        ("/api/v1/places/sites?limit=50", "GET /api/v1/places/sites (anon)"),
        ("/healthz", "GET /healthz"),
    ]:
        anon.get(path)  # warm
        timed(name, lambda path=path: anon.get(path))

    rh = bearer(res["token"])
    c = Client()

    def create():
        body = {
            "title": "家里屋顶漏水需要帮忙",
            "category": "everyday_help",
            "region_id": res["region_id"],
            "address": "3组12号",
            "description": "白天家里有人，请提前电话联系。",
        }
        return c.post(
            "/api/v1/orders/",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            **rh,
        )

    created = [r.json()["id"] for r in timed("POST /api/v1/orders/", create, 201)]
    timed("GET /api/v1/orders/?mine", lambda: c.get("/api/v1/orders/?mine=true&limit=20", **rh))
    timed("GET /api/v1/orders/[id]", lambda: c.get(f"/api/v1/orders/{created[0]}", **rh))
    timed("GET /api/v1/activities/ (token)", lambda: c.get("/api/v1/activities/?limit=20", **rh))
    first = User.objects.get(username="mx_r0")
    pool = iter(
        Order.objects.filter(requester=first, state="completed").values_list("pk", flat=True)
    )
    timed(
        "POST /api/v1/orders/[id]/rate",
        lambda: c.post(
            f"/api/v1/orders/{next(pool)}/rate",
            {"level": 5},
            content_type="application/json",
            **rh,
        ),
    )
    sh = bearer(staff)
    timed(
        "GET /api/v1/orders/?state=submitted",
        lambda: c.get("/api/v1/orders/?state=submitted&limit=5", **sh),
    )
    # The staff token is for the first station; its residents are residents 0, 8, 16, …
    todo = iter(created)
    timed(
        "POST /api/v1/orders/[id]/approve",
        lambda: c.post(
            f"/api/v1/orders/{next(todo)}/approve",
            {"reason": "信息完整"},
            content_type="application/json",
            **sh,
        ),
    )
    ranked = timed(
        "GET /api/v1/orders/[id]/suggestions",
        lambda: c.get(f"/api/v1/orders/{created[0]}/suggestions?limit=3", **sh),
    )
    team = ranked[0].json()[0]["team_id"]
    todo = iter(created)
    timed(
        "POST /api/v1/orders/[id]/dispatch",
        lambda: c.post(
            f"/api/v1/orders/{next(todo)}/dispatch",
            {"team_id": team, "reason": "距离最近"},
            content_type="application/json",
            **sh,
        ),
    )

    template = Activity.objects.get(pk=fixture["phases"]["run"]["signup_activities"][0])
    now = timezone.now()
    coming = _clone_activity(
        template, "inproc", 0, now + timedelta(days=2), now + timedelta(days=2, hours=2), 10_000
    )
    ongoing = _clone_activity(
        template, "inproc", 1, now - timedelta(minutes=5), now + timedelta(hours=2), 10_000
    )
    vols = iter(vol)
    signups: list[tuple[dict, int]] = []

    def signup():
        h = bearer(next(vols)["token"])
        r = c.post(f"/api/v1/activities/{coming.pk}/signups", **h)
        signups.append((h, r.json()["id"]))
        return r

    timed("POST /api/v1/activities/[id]/signups", signup, 201)
    cancels = iter(signups)

    def cancel():
        h, sid = next(cancels)
        return c.post(f"/api/v1/activities/signups/{sid}/cancel", **h)

    timed("POST /api/v1/activities/signups/[id]/cancel", cancel)
    vols = iter(vol)
    timed(
        "POST /api/v1/activities/[id]/check-in",
        lambda: c.post(
            f"/api/v1/activities/{ongoing.pk}/check-in",
            {"method": "code", "code": ongoing.checkin_code},
            content_type="application/json",
            **bearer(next(vols)["token"]),
        ),
        201,
    )
    vh = bearer(vol[0]["token"])
    timed("GET /api/v1/activities/my/signups", lambda: c.get("/api/v1/activities/my/signups", **vh))
    timed("GET /api/v1/activities/[id]", lambda: c.get(f"/api/v1/activities/{coming.pk}", **vh))
    for sess in fixture["sessions"]:
        browser = Client()
        name, value = sess["cookie"].split("=", 1)
        browser.cookies[name] = value
        for path, label in sess["pages"]:
            timed(label, lambda path=path, b=browser: b.get(path))
    return out


def worker_pids(master: int) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == master:
                pids.append(int(d.name))
    return sorted(pids)


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_s(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(f[11]) + int(f[12])
    return total / tick


def pg_backends() -> list[int]:
    """This database's PostgreSQL backends other than this process's own: gunicorn's
    persistent connections (``CONN_MAX_AGE``) and the worker's, once warm."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in c.fetchall()]
    connection.close()
    return pids


MIX = ["AnonymousReader", "Resident", "Volunteer", "Staff", "SignedIn"]


def run_locust(
    base: str,
    phase: str,
    seconds: int,
    users: int,
    prefix: Path,
    fixture: Path,
    classes: list[str] = MIX,
) -> None:
    """locust headless in its own process; statistics reset once every user is spawned,
    so the figures cover ``seconds`` at full load (spawning takes ~5 s more)."""
    spawn_rate = max(users / 5, 1)
    env = dict(
        os.environ,
        XINFENG_MIXED_FIXTURE=str(fixture),
        XINFENG_MIXED_PHASE=phase,
        XINFENG_MIXED_ACK_FILE=f"{prefix}_acknowledged.json",
        XINFENG_MIXED_PER_USER_RPS=str(PER_USER_RPS),
    )
    for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "XINFENG_SECRET_KEY", "XINFENG_FIELD_KEY"):
        env.pop(k, None)
    cmd = [
        str(ROOT / ".venv/bin/locust"),
        "-f",
        str(ROOT / "bench/locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{seconds + math.ceil(users / spawn_rate)}s",
        "--reset-stats",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "ERROR",
        "--stop-timeout",  # every request started finishes: acknowledged vs stored
        "120",
        *classes,
    ]
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read_stats(prefix: Path) -> tuple[dict, dict, list]:
    """(aggregated row, rows by request name, failures) from locust's CSV files."""

    def ms(value: str) -> float | None:
        return None if value in ("N/A", "") else float(value)

    def row(r: dict) -> dict:
        return {
            "n": int(r["Request Count"]),
            "errors": int(r["Failure Count"]),
            "rps": round(float(r["Requests/s"]), 1),
            "p50_ms": ms(r["50%"]),
            "p95_ms": ms(r["95%"]),
            "p99_ms": ms(r["99%"]),
            "max_ms": round(float(r["Max Response Time"]), 1),
        }

    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_name = {r["Name"]: row(r) for r in rows if r["Name"] != "Aggregated"}
    total = row(next(r for r in rows if r["Name"] == "Aggregated"))
    failures = []
    fpath = Path(f"{prefix}_failures.csv")
    if fpath.exists():
        with open(fpath, encoding="utf-8") as f:
            failures = [
                {"request": r["Name"], "error": r["Error"][:300], "n": int(r["Occurrences"])}
                for r in csv.DictReader(f)
            ]
    return total, by_name, failures


def main() -> None:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="xf-bench-mixed-"))
    ensure_database(URL)
    setup_django(str(tmp), hosts="testserver,127.0.0.1")
    seed()
    from django.db import connection

    from xinfeng.orders.models import Order

    users = math.ceil(RPS / PER_USER_RPS)
    share = {k: w / sum(WEIGHTS.values()) for k, w in WEIGHTS.items()}
    by_kind = {k: math.ceil(users * s) + 2 for k, s in share.items()}
    tag = time.strftime("%m%d%H%M%S")
    fixture = tmp / "fixture.json"
    facts = prepare(tag, by_kind, fixture)
    first_order = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()

    worker_log = open(tmp / "worker.log", "wb")  # noqa: SIM115
    profile = os.environ.get("XINFENG_BENCH_WORKER_PROFILE")  # cProfile output of the worker
    worker = (
        subprocess.Popen(
            [sys.executable, "-m", "cProfile", "-o", profile, str(ROOT / "manage.py"), "worker"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=worker_log,
        )
        if profile
        else manage("worker", stdout=subprocess.DEVNULL, stderr=worker_log)
    )
    result: dict = {"bench": "mixed_load"}
    try:
        with gunicorn(WORKERS, THREADS) as base:
            master = 0
            for p in Path("/proc").iterdir():  # the master is the harness's child process
                if p.name.isdigit() and (p / "cmdline").exists():
                    try:
                        cmd = (p / "cmdline").read_bytes()
                    except OSError:
                        continue
                    if b"gunicorn" in cmd and base.removeprefix("http://").encode() in cmd:
                        stat = (p / "stat").read_text().rsplit(")", 1)[1].split()
                        if int(stat[1]) == os.getpid():
                            master = int(p.name)
            pids = worker_pids(master)
            if WARMUP:
                run_locust(base, "warmup", WARMUP, users, tmp / "warmup", fixture)
            run_locust(base, "run", FLOOR_SECONDS, users, tmp / "floor", fixture, ["Floor"])
            rss0 = {pid: rss_kb(pid) for pid in pids}
            db_pids = pg_backends()
            child0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            loads: list[float] = []
            stop = threading.Event()
            # locust counts requests only once every user is spawned (--reset-stats), so the
            # servers' CPU is read from then on too: before, the spawning seconds' CPU was
            # divided by the requests of the measured seconds only (+10 % at 45 s).
            spawn_s = math.ceil(users / max(users / 5, 1))
            cpu_start: list = []

            def sample_load() -> None:
                if not stop.wait(spawn_s):
                    cpu_start.extend((cpu_s(pids), cpu_s(db_pids), cpu_s([worker.pid])))
                while not stop.wait(10):
                    loads.append(os.getloadavg()[0])

            sampler = threading.Thread(target=sample_load, daemon=True)
            load_before = os.getloadavg()
            sampler.start()
            t0 = time.monotonic()
            run_locust(base, "run", SECONDS, users, tmp / "run", fixture)
            wall = time.monotonic() - t0
            stop.set()
            load_after = os.getloadavg()
            child1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu1, db1, w1 = cpu_s(pids), cpu_s(db_pids), cpu_s([worker.pid])
            cpu0, db0, w0 = cpu_start
            rss1 = {pid: rss_kb(pid) for pid in pids}
            pids_end = worker_pids(master)
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        worker_log.close()

    total, by_name, failures = read_stats(tmp / "run")
    floor = read_stats(tmp / "floor")[0]
    # The warm-up is not measured, but what failed in it (a client timeout on an order the
    # server stored later) explains a gap between orders acknowledged and stored.
    warmup_errors = read_stats(tmp / "warmup")[0]["errors"] if WARMUP else 0
    created_ok = sum(
        json.loads(Path(f"{tmp / p}_acknowledged.json").read_text())["orders"]
        for p in (["warmup"] if WARMUP else []) + ["run"]
    )
    from django_tasks_db.models import DBTaskResult

    stored = Order.objects.filter(
        pk__gt=first_order, requester_id__in=facts.pop("resident_ids")
    ).count()
    queue_left = DBTaskResult.objects.filter(status="READY").count()
    # XINFENG_BENCH_IN_PROCESS=0 skips the in-process table (bench_mix_cpu.py has the full one)
    in_proc = os.environ.get("XINFENG_BENCH_IN_PROCESS", "1") != "0"
    cpu_ms = in_process(json.loads(fixture.read_text())) if in_proc else {}
    # Weighted by what the run asked: the Django CPU of the mix's average request.
    weights = {k: v["n"] for k, v in by_name.items() if k in cpu_ms}
    mix_cpu = sum(cpu_ms[k] * n for k, n in weights.items()) / max(sum(weights.values()), 1)

    growth = {
        str(pid): round((rss1[pid] - rss0[pid]) / rss0[pid], 3)
        for pid in pids
        if rss0.get(pid) and rss1.get(pid)
    }
    n = max(total["n"], 1)
    cpu_per_request = {
        "gunicorn": round((cpu1 - cpu0) * 1000 / n, 2),
        "postgresql": round((db1 - db0) * 1000 / n, 2),
        "worker": round((w1 - w0) * 1000 / n, 2),
        "locust": round(
            (child1.ru_utime + child1.ru_stime - child0.ru_utime - child0.ru_stime) * 1000 / n,
            2,
        ),
    }
    result.update(
        target_rps=RPS,
        rps=total["rps"],
        requests=total["n"],
        errors=total["errors"],
        p50_ms=total["p50_ms"],
        p95_ms=total["p95_ms"],
        p99_ms=total["p99_ms"],
        max_ms=total["max_ms"],
        by_request={k: by_name[k] for k in sorted(by_name, key=lambda k: -by_name[k]["n"])},
        first_failures=failures[:5],
        # /healthz (no database) at the same users and pace, just before the run: what the
        # machine gave any request then. The mix's p95 over the floor's is the app's share.
        floor_healthz=floor,
        p95_x_floor=round(total["p95_ms"] / floor["p95_ms"], 2)
        if floor["p95_ms"] and total["p95_ms"]
        else None,
        users=users,
        gunicorn={"workers": WORKERS, "threads": THREADS, "restarted": pids != pids_end},
        rss_kb_start={str(p): v for p, v in rss0.items()},
        rss_kb_end={str(p): v for p, v in rss1.items()},
        rss_growth=growth,
        rss_growth_max=max(growth.values()) if growth else None,
        cpu_ms_per_request=cpu_per_request,
        # Cores that the target rate of this mix needs at these CPU costs (every process
        # of the run: gunicorn, PostgreSQL, worker, load generator) — against os.cpu_count().
        cores_needed_at_target=round(RPS * sum(cpu_per_request.values()) / 1000, 2),
        django_cpu_ms_in_process=cpu_ms,
        django_cpu_ms_mix=round(mix_cpu, 2),
        # What the CPUs could serve if they did nothing but Django (PostgreSQL and the load
        # generator share them here, so the real ceiling is lower).
        django_ceiling_rps=round((os.cpu_count() or 1) * 1000 / mix_cpu) if mix_cpu else None,
        warmup_errors=warmup_errors,
        orders_acknowledged=created_ok,
        orders_stored=stored,
        worker_queue_left=queue_left,
        worker_alive_to_end=worker.returncode in (0, -15),
        loadavg={
            "before": round(load_before[0], 2),
            "during_mean": round(sum(loads) / len(loads), 2) if loads else None,
            "during_max": round(max(loads), 2) if loads else None,
            "after": round(load_after[0], 2),
        },
        cpus=os.cpu_count(),
        duration_s=SECONDS,
        wall_s=round(wall, 1),
        warmup_s=WARMUP,
        prepared=facts,
        redis=bool(os.environ.get("REDIS_URL")),
        database=URL.rsplit("/", 1)[1],
        total_s=round(time.monotonic() - started, 1),
    )
    result["meets"] = {
        "rps": total["rps"] >= TARGETS["rps"] * 0.98,
        "errors": total["errors"] == 0,
        "p95": total["p95_ms"] < TARGETS["p95_ms"],
        "p99": total["p99_ms"] < TARGETS["p99_ms"],
        "rss": bool(growth) and max(growth.values()) <= TARGETS["rss_growth"],
        "stored_equals_acknowledged": stored == created_ok,
    }
    result["targets"] = TARGETS
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
