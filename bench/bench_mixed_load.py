"""Sustained mixed load: residents, volunteers, staff and anonymous readers at 200 requests/s
for 5 minutes against gunicorn + PostgreSQL + the worker, driven by locust (issue #18 item 3).

Targets: 200 requests/s, 0 errors, p95 < 150 ms, p99 < 400 ms, resident memory (RSS) of
each gunicorn worker growing ≤ 20 % from after the warm-up to the end.

The database (``XINFENG_BENCH_DATABASE_URL``, default a private
``postgres://postgres@127.0.0.1:5432/xinfeng_bench_mixed``) is made afresh for each run as a
copy of ``<name>_template``, the demo city seeded once (``seed_demo``), migrated, vacuumed
and analysed (``mix_fixture.fresh_copy``; ``XINFENG_BENCH_REUSE_DATABASE=1`` keeps the last
run's database instead), and analysed again after the run's own data. Each run adds its own people and
things (``bench/mix_fixture.py``), so runs never collide: API tokens for 8 station operators (one village station
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
every task is one request and every user makes one a second on average, so users = rate.
Each user's requests are a Poisson stream (``XINFENG_MIXED_ARRIVALS=poisson``, the default;
``lockstep`` is locust's ``constant_throughput``, which sends each spawn batch's users in
the same millisecond every second — see ``locustfile.poisson_arrivals``). The mix by
users: anonymous readers 50, residents (token) 22, volunteers (token) 18, signed-in web
pages 6 (dashboards, my orders, volunteer card, station queue, notifications) and one
station operator per station (list → approve → rank teams → dispatch).

RSS of each worker (``/proc/<pid>/status``) right after the warm-up and at the end; the
load average sampled during the run (the machine has 2 cores shared with other work: the
latencies follow it). Orders acknowledged (201) must equal orders stored, and no request
may fail, the spawning seconds included (``failures_with_spawning``: locust's own figures
start once every user is spawned). The in-process CPU of each request type is
``bench/bench_mix_cpu.py``'s. One JSON line.

    .venv/bin/python bench/bench_mixed_load.py
    XINFENG_BENCH_SECONDS=30 XINFENG_BENCH_WARMUP=10 .venv/bin/python bench/bench_mixed_load.py
"""

import csv
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _harness import ensure_database, gunicorn, manage, setup_django  # noqa: E402
from mix_fixture import PER_USER_RPS, fresh_copy, prepare, seed  # noqa: E402

URL = os.environ.setdefault(
    "XINFENG_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xinfeng_bench_mixed"
)
SECONDS = int(os.environ.get("XINFENG_BENCH_SECONDS", "300"))
FLOOR_SECONDS = int(os.environ.get("XINFENG_BENCH_FLOOR_SECONDS", "20"))
WARMUP = int(os.environ.get("XINFENG_BENCH_WARMUP", "30"))
RPS = float(os.environ.get("XINFENG_BENCH_RPS", "200"))
WORKERS = int(os.environ.get("XINFENG_BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))
THREADS = int(os.environ.get("XINFENG_BENCH_THREADS", "2"))
TARGETS = {"rps": 200, "errors": 0, "p95_ms": 150, "p99_ms": 400, "rss_growth": 0.20}
# Share of users by kind (the locustfile's weights; staff are one per station on top).
WEIGHTS = {"anonymous": 50, "resident": 22, "volunteer": 18, "signed_in": 6}


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


def vacuum_analyze() -> float:
    """``VACUUM (ANALYZE)`` the bench's database, as autovacuum keeps a production one: the
    run's own people, activities and orders are in it, and this machine's PostgreSQL runs with
    autovacuum off, so nothing else would analyse them. Seconds taken."""
    from django.db import connection

    t0 = time.monotonic()
    with connection.cursor() as c:
        c.execute("VACUUM (ANALYZE)")
    return round(time.monotonic() - t0, 1)


def machine_ticks() -> list[int]:
    """The machine's CPU time by state (``/proc/stat``'s first line, in clock ticks): user,
    nice, system, idle, iowait, irq, softirq, steal."""
    return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def machine_shares(t0: list[int], t1: list[int]) -> dict:
    """Shares of the machine's CPU time between two ``machine_ticks``: busy (user, nice,
    system, irq, softirq), idle, waiting for I/O, and stolen by the host of this VM."""
    d = [b - a for a, b in zip(t0, t1, strict=True)]
    total = max(sum(d), 1)
    return {
        "busy": round((d[0] + d[1] + d[2] + d[5] + d[6]) / total, 3),
        "idle": round(d[3] / total, 3),
        "iowait": round(d[4] / total, 3),
        "steal": round(d[7] / total, 3),
    }


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
    # XINFENG_BENCH_REUSE_DATABASE=1: the database as the last run left it (no fresh copy)
    copied = (
        {"reused": True}
        if os.environ.get("XINFENG_BENCH_REUSE_DATABASE") == "1"
        else fresh_copy(URL, str(tmp))
    )
    ensure_database(URL)
    setup_django(str(tmp), hosts="testserver,127.0.0.1")
    if os.environ.get("REDIS_URL") and "reused" not in copied:
        # A shared cache outlives the run: entries and versions of the last run's database
        # (same name, other rows) must not be served to this one. Empties REDIS_URL's db.
        from django.core.cache import cache

        cache.clear()
    seed()
    from django.db import connection

    from xinfeng.orders.models import Order

    users = math.ceil(RPS / PER_USER_RPS)
    share = {k: w / sum(WEIGHTS.values()) for k, w in WEIGHTS.items()}
    by_kind = {k: math.ceil(users * s) + 2 for k, s in share.items()}
    tag = time.strftime("%m%d%H%M%S")
    fixture = tmp / "fixture.json"
    facts = prepare(tag, by_kind, fixture, {"warmup": WARMUP, "run": SECONDS})
    first_order = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    vacuum_s = vacuum_analyze()
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
                    cpu_start.append(machine_ticks())
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
            machine = machine_shares(cpu_start[3], machine_ticks())
            cpu0, db0, w0 = cpu_start[:3]
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
    ack = {
        p: json.loads(Path(f"{tmp / p}_acknowledged.json").read_text())
        for p in (["warmup"] if WARMUP else []) + ["run"]
    }
    created_ok = sum(a["orders"] for a in ack.values())
    # locust's figures start once every user is spawned; these count the spawning too.
    failures_all = {p: a["failures"] for p, a in ack.items()}
    from django_tasks_db.models import DBTaskResult

    stored = Order.objects.filter(
        pk__gt=first_order, requester_id__in=facts.pop("resident_ids")
    ).count()
    queue_left = DBTaskResult.objects.filter(status="READY").count()

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
        arrivals=os.environ.get("XINFENG_MIXED_ARRIVALS", "poisson"),
        gunicorn={"workers": WORKERS, "threads": THREADS, "restarted": pids != pids_end},
        rss_kb_start={str(p): v for p, v in rss0.items()},
        rss_kb_end={str(p): v for p, v in rss1.items()},
        rss_growth=growth,
        rss_growth_max=max(growth.values()) if growth else None,
        cpu_ms_per_request=cpu_per_request,
        # Cores that the target rate of this mix needs at these CPU costs (every process
        # of the run: gunicorn, PostgreSQL, worker, load generator) — against os.cpu_count().
        cores_needed_at_target=round(RPS * sum(cpu_per_request.values()) / 1000, 2),
        warmup_errors=warmup_errors,
        failures_with_spawning=failures_all,
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
        # The whole machine during the measured run: what else used it, and what the VM's
        # host took (steal) — latency follows the busy share, not the bench's own CPU only.
        machine_cpu=machine,
        duration_s=SECONDS,
        wall_s=round(wall, 1),
        warmup_s=WARMUP,
        prepared=facts,
        vacuum_analyze_s=vacuum_s,
        database_copy=copied,
        redis=bool(os.environ.get("REDIS_URL")),
        database=URL.rsplit("/", 1)[1],
        total_s=round(time.monotonic() - started, 1),
    )
    result["meets"] = {
        "rps": total["rps"] >= TARGETS["rps"] * 0.98,
        "errors": total["errors"] == 0 and not any(failures_all.values()),
        "p95": total["p95_ms"] < TARGETS["p95_ms"],
        "p99": total["p99_ms"] < TARGETS["p99_ms"],
        "rss": bool(growth) and max(growth.values()) <= TARGETS["rss_growth"],
        "stored_equals_acknowledged": stored == created_ok,
    }
    result["targets"] = TARGETS
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
