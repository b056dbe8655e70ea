"""Where the mixed load's CPU goes, per request type, in-process (issue #18 item 3).

For each request type of ``bench/locustfile.py``: the Django CPU milliseconds
(``time.thread_time``, median of ``XINFENG_BENCH_REPS``, default 15) and the SQL statements
of one request, through ``django.test.Client`` with the headers the mix sends (anonymous,
``Authorization: Bearer``, session cookie), against a PostgreSQL database of its own
(``XINFENG_BENCH_MIX_CPU_DATABASE_URL``, default ``xinfeng_bench_mixcpu``: the mixed bench
counts the orders of residents of the same names; the demo city seeded once, this run's
people prepared by ``mix_fixture.seed``/``prepare``, as for ``bench_mixed_load``). Anonymous reads are
measured warm (from the public read cache) and in sequence with the mix's writes (misses
included: ``anonymous_in_sequence``). Weighted by the mix's shares of requests
(``SHARES`` below: the locustfile's user and task weights at 200 users) → the expected
gunicorn CPU per request of the mix, no HTTP, no other process, so the figures do not
depend on the machine's load.

``XINFENG_BENCH_OLD_TREE=/tmp/old_mix`` (a ``git worktree add`` of an older commit) measures
that tree too (``XINFENG_BENCH_NEW_TREE`` replaces this checkout as the new side, e.g. a
clean worktree of HEAD when others have uncommitted work here), in its own process, interleaved with this one (old, new, old, new; the lower
median of each type is kept), on the same prepared data: old and new side by side in one run.
One JSON line.

    .venv/bin/python bench/bench_mix_cpu.py
    git worktree add /tmp/old_mix <commit> && \\
      XINFENG_BENCH_OLD_TREE=/tmp/old_mix .venv/bin/python bench/bench_mix_cpu.py
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPS = int(os.environ.get("XINFENG_BENCH_REPS", "15"))
ROUNDS = int(os.environ.get("XINFENG_BENCH_ROUNDS", "2"))

# Share of the mix's requests by type at 200 users, 1 request/s each (locustfile): 8 station
# operators (one per station, 4 steps in turn); the other 192 users by class weight
# 50:22:18:6, then each class's task weights.
_ANON, _RES, _VOL, _SIGNED = (192 * w / 96 / 200 for w in (50, 22, 18, 6))
_STAFF_STEP = 8 / 200 / 4
SHARES = {
    "GET /": _ANON * 3 / 15,
    "GET /places/sites/": _ANON * 2 / 15,
    "GET /activities/": _ANON * 3 / 15,
    "GET /activities/[id]/": _ANON * 3 / 15,
    "GET /places/sites/[id]/": _ANON * 1 / 15,
    "GET /open311/v2/services.json": _ANON * 1 / 15,
    "GET /api/v1/activities/ (anon)": _ANON * 1 / 15,
    "GET /api/v1/places/sites (anon)": _ANON * 1 / 15,
    "POST /api/v1/orders/": _RES * 3 / 10,
    "GET /api/v1/orders/?mine": _RES * 3 / 10,
    "GET /api/v1/orders/[id]": _RES * 2 / 10,
    "POST /api/v1/orders/[id]/rate": _RES * 1 / 10,
    "GET /api/v1/activities/ (token)": _RES * 1 / 10 + _VOL * 3 / 10,
    "GET /api/v1/activities/[id]": _VOL * 1 / 10,
    "GET /api/v1/activities/my/signups": _VOL * 2 / 10,
    "POST /api/v1/activities/[id]/signups": _VOL * 1.5 / 10,
    "POST /api/v1/activities/signups/[id]/cancel": _VOL * 1.5 / 10,
    "POST /api/v1/activities/[id]/check-in": _VOL * 1 / 10,
    "GET /api/v1/orders/?state=submitted": _STAFF_STEP,
    "POST /api/v1/orders/[id]/approve": _STAFF_STEP,
    "GET /api/v1/orders/[id]/suggestions": _STAFF_STEP,
    "POST /api/v1/orders/[id]/dispatch": _STAFF_STEP,
    # 5 sessions in turn, each its own pages at random
    "GET /insights/dashboard/[id]/ (leader)": _SIGNED / 5,
    "GET /insights/dashboard/[id]/ (center)": _SIGNED / 10,
    "GET /orders/queue/ (center)": _SIGNED / 10,
    "GET /orders/queue/ (station)": _SIGNED / 10,
    "GET /insights/dashboard/[id]/ (station)": _SIGNED / 10,
    "GET /orders/mine/": _SIGNED / 10,
    "GET /notifications/": _SIGNED / 10,
    "GET /volunteers/ (my card)": _SIGNED / 10,
    "GET /activities/my/": _SIGNED / 10,
}
# Measured too, outside the mix: the cost of the middleware chain and the URL resolver alone.
EXTRA = ("GET /healthz",)


def measure(fixture: dict) -> dict:
    """{type: {"cpu_ms", "statements"}} for this process's code tree."""
    from django.db import connections
    from django.test import Client
    from django.utils import timezone
    from mix_fixture import clone_activity

    from xinfeng.activities.models import Activity
    from xinfeng.core import publiccache
    from xinfeng.orders.models import Order

    topics = sorted(publiccache.TOPICS)

    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    conn = connections["default"]
    conn.ensure_connection()
    out: dict[str, dict] = {}

    def timed(name: str, call, expect: int = 200, n: int = REPS, before=None) -> list:
        times, counts, answers = [], [], []
        bumped: set[str] = set()
        for _ in range(n):
            if before is not None:
                before()
            was = publiccache.versions(topics)
            statements[0] = 0
            with conn.execute_wrapper(count):
                t0 = time.thread_time()
                r = call()
                times.append(time.thread_time() - t0)
            counts.append(statements[0])
            bumped |= {
                t
                for t, a, b in zip(topics, was, publiccache.versions(topics), strict=True)
                if a != b
            }
            assert r.status_code == expect, (name, r.status_code, r.content[:300])
            answers.append(r)
        out[name] = {
            "cpu_ms": round(statistics.median(times) * 1000, 3),
            "statements": statistics.median(counts),
        }
        if bumped:  # the public read cache's topics this request invalidates
            out[name]["bumps"] = sorted(bumped)
        return answers

    def bearer(token: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    anon = Client()
    res = fixture["residents"][0]
    vol = fixture["volunteers"]
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
        if name != "GET /healthz":  # a miss: every topic's version bumped before the request
            timed(f"{name} (miss)", lambda path=path: anon.get(path), before=publiccache.bump_all)

    rh = bearer(res["token"])
    c = Client()
    c.get("/api/v1/orders/?mine=true&limit=20", **rh)  # the token's cache entry, warm

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
    # This fixture's own completed orders (another bench on the database has its own).
    pool = iter(
        Order.objects.filter(
            pk__in=res["to_rate"]["run"], state="completed", rated_at__isnull=True
        ).values_list("pk", flat=True)
    )
    timed(
        "POST /api/v1/orders/[id]/rate",
        lambda: c.post(
            f"/api/v1/orders/{next(pool)}/rate",
            {"level": 5, "comment": "志愿者很耐心，谢谢！"},
            content_type="application/json",
            **rh,
        ),
    )
    sh = bearer(fixture["staff"][0]["token"])
    c.get("/api/v1/orders/?state=submitted&limit=5", **sh)
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
            {"team_id": team, "reason": "距离最近，队伍有空"},
            content_type="application/json",
            **sh,
        ),
    )

    template = Activity.objects.get(pk=fixture["phases"]["run"]["signup_activities"][0])
    now = timezone.now()
    tag = f"cpu{os.getpid()}"
    coming = clone_activity(
        template, tag, 0, now + timedelta(days=2), now + timedelta(days=2, hours=2), 10_000
    )
    ongoing = clone_activity(
        template, tag, 1, now - timedelta(minutes=5), now + timedelta(hours=2), 10_000
    )
    for v in vol:  # every volunteer's token warm, as in the run
        c.get("/api/v1/activities/my/signups", **bearer(v["token"]))
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
    owners = ["leader", "center", "station", "resident", "volunteer"]
    for owner, sess in zip(owners, fixture["sessions"], strict=True):
        browser = Client()
        name, value = sess["cookie"].split("=", 1)
        browser.cookies[name] = value
        for path, label in sess["pages"]:
            if label == "GET /orders/queue/":
                label = f"{label} ({owner})"
            browser.get(path)  # warm
            timed(label, lambda path=path, b=browser: b.get(path))
    # The public read cache's topics each write of the mix bumps, as measured above in this
    # tree (old and new trees may route the same write to different topics).
    writes = {k: v.get("bumps", []) for k, v in out.items() if k.startswith("POST ")}
    out.update(anonymous_in_sequence(fixture, anon, writes))
    return out


# The anonymous reads of the mix, with how locust picks their paths.
ANON_PATHS = {
    "GET /": lambda f, rnd: "/",
    "GET /places/sites/": lambda f, rnd: "/places/sites/",
    "GET /activities/": lambda f, rnd: "/activities/",
    "GET /activities/[id]/": lambda f, rnd: f"/activities/{rnd.choice(f['browse_activities'])}/",
    "GET /places/sites/[id]/": lambda f, rnd: f"/places/sites/{rnd.choice(f['sites'])}/",
    "GET /open311/v2/services.json": lambda f, rnd: "/open311/v2/services.json",
    "GET /api/v1/activities/ (anon)": lambda f, rnd: "/api/v1/activities/?limit=20",
    "GET /api/v1/places/sites (anon)": lambda f, rnd: "/api/v1/places/sites?limit=50",
}


def anonymous_in_sequence(fixture: dict, anon, writes: dict, n: int = 0) -> dict:
    """The anonymous reads as the run meets them: ``n`` requests of the mix drawn by
    ``SHARES`` (seeded), the writes among them standing for the versions they bump (the
    writes themselves are measured above), the anonymous reads made and timed — so a read
    after a sign-up is the miss it is in the run. The version-keyed cache makes this
    independent of time: only the order of reads and writes counts. Returns, per
    anonymous type, ``{"cpu_ms": mean, "hits": share}`` under ``"<type> (in sequence)"``."""
    import random

    from xinfeng.core import publiccache

    n = n or int(os.environ.get("XINFENG_BENCH_SEQUENCE", "3000"))
    rnd = random.Random(18)
    kinds = list(SHARES)
    weights = [SHARES[k] for k in kinds]
    times: dict[str, list[float]] = {k: [] for k in ANON_PATHS}
    hits: dict[str, int] = dict.fromkeys(ANON_PATHS, 0)
    for kind in rnd.choices(kinds, weights, k=n):
        if kind in writes:
            publiccache.bump(writes[kind])
        elif kind in ANON_PATHS:
            path = ANON_PATHS[kind](fixture, rnd)
            t0 = time.thread_time()
            r = anon.get(path)
            times[kind].append(time.thread_time() - t0)
            assert r.status_code == 200, (path, r.status_code)
            state = getattr(r.wsgi_request, "_xf_public_read", None)
            hits[kind] += bool(state is not None and state.hit)
    return {
        f"{k} (in sequence)": {
            "cpu_ms": round(statistics.mean(v) * 1000, 3),
            "statements": None,
            "hits": round(hits[k] / len(v), 2),
            "n": len(v),
        }
        for k, v in times.items()
        if v
    }


def child(tree: str, fixture_path: str) -> None:
    """Measure ``tree``'s code (imported from there) and print its figures as JSON."""
    sys.path.insert(0, tree)
    sys.path.insert(1, str(ROOT / "bench"))
    os.chdir(tree)
    from _harness import setup_django

    setup_django(tempfile.mkdtemp(prefix="xf-mixcpu-"), hosts="testserver,127.0.0.1")
    import xinfeng
    import xinfeng.wsgi  # noqa: F401 - what a gunicorn worker runs at start

    assert Path(xinfeng.__file__).resolve().is_relative_to(Path(tree).resolve()), xinfeng.__file__
    print(json.dumps(measure(json.loads(Path(fixture_path).read_text()))))


def met_ms(figures: dict, k: str) -> float:
    """Type ``k``'s CPU as the run meets it: an anonymous read at its share of hits in
    sequence at the warm median, the rest at the miss median (steadier on a busy machine
    than the sequence's own mean, which the line gives too); other types their median."""
    met = figures.get(f"{k} (in sequence)")
    if met is None:
        return figures[k]["cpu_ms"]
    h = met["hits"]
    return h * figures[k]["cpu_ms"] + (1 - h) * figures[f"{k} (miss)"]["cpu_ms"]


def weighted(figures: dict) -> dict:
    """The mix's mean request: anonymous reads warm (``cpu_ms``, ``statements``) and as met
    in sequence, misses after writes included (``cpu_ms_in_sequence``)."""
    total = sum(SHARES.values())

    def measured(k: str) -> float:
        return figures.get(f"{k} (in sequence)", figures[k])["cpu_ms"]

    return {
        "cpu_ms": round(sum(figures[k]["cpu_ms"] * s for k, s in SHARES.items()) / total, 3),
        "statements": round(
            sum(figures[k]["statements"] * s for k, s in SHARES.items()) / total, 2
        ),
        "cpu_ms_in_sequence": round(
            sum(met_ms(figures, k) * s for k, s in SHARES.items()) / total, 3
        ),
        "cpu_ms_in_sequence_measured": round(
            sum(measured(k) * s for k, s in SHARES.items()) / total, 3
        ),
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3])
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    url = os.environ["XINFENG_BENCH_DATABASE_URL"] = os.environ.get(
        "XINFENG_BENCH_MIX_CPU_DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/xinfeng_bench_mixcpu",
    )
    from _harness import ensure_database, setup_django

    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="xf-mixcpu-"))
    ensure_database(url)
    setup_django(str(tmp), hosts="testserver,127.0.0.1")
    import mix_fixture

    mix_fixture.seed()
    tag = "c" + time.strftime("%m%d%H%M%S")
    # Enough completed orders for resident 0 to rate in every round of every tree.
    trees = {"new": os.environ.get("XINFENG_BENCH_NEW_TREE", str(ROOT))}
    old = os.environ.get("XINFENG_BENCH_OLD_TREE")
    if old:
        trees = {"old": old, **trees}
    per = REPS * ROUNDS * len(trees) + 2
    fixture = tmp / "fixture.json"
    mix_fixture.prepare(
        tag,
        {"resident": 1, "volunteer": REPS + 2, "signed_in": 1, "anonymous": 1},
        fixture,
        {"warmup": 0, "run": int(per / 0.15)},
    )
    from django.db import connections

    connections.close_all()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(ROUNDS):
        for name, tree in trees.items():
            out = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--child", tree, str(fixture)],
                env=env,
                capture_output=True,
                text=True,
            )
            if out.returncode:
                sys.exit(f"{name} failed:\n{out.stderr[-3000:]}")
            runs[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = {
        name: {k: min((r[k] for r in rs), key=lambda f: f["cpu_ms"]) for k in rs[0]}
        for name, rs in runs.items()
    }
    result: dict = {"bench": "mix_cpu"}
    for name, figures in best.items():
        mix = weighted(figures)
        result[f"mix_{name}"] = mix
    result["by_type"] = {
        k: {name: best[name][k] for name in best}
        for k in sorted(best["new"], key=lambda k: -SHARES.get(k, 0))
    }
    # What each type adds to the mix's average request (ms of CPU), the heaviest first.
    total = sum(SHARES.values())
    result["mix_share_ms_new"] = dict(
        sorted(
            (
                (
                    k,
                    round(
                        met_ms(best["new"], k) * s / total,
                        3,
                    ),
                )
                for k, s in SHARES.items()
            ),
            key=lambda kv: -kv[1],
        )
    )
    result.update(
        reps=REPS,
        rounds=ROUNDS,
        database=url.rsplit("/", 1)[1],
        old_tree=old,
        loadavg=round(os.getloadavg()[0], 2),
        total_s=round(time.monotonic() - started, 1),
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
