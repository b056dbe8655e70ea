"""Benchmark: anonymous public reads through the public read cache (xinfeng.core.publiccache)
against the floor — a bare Django view answering a constant — in the same gunicorn run.

Target (issue #18): every endpoint ≥ 0.15× the floor warm (served from the cache) and
≥ 0.08× on a miss (a query string never seen before, so each request renders). Each
endpoint's ratios are taken against the floor measured just before and just after it.

Seeds the demo city's places, accounts, projects and activities into a throw-away SQLite
database (or ``XINFENG_BENCH_DATABASE_URL``, an empty PostgreSQL database), serves it with
gunicorn (2 workers, ``XINFENG_DEBUG=0``, the Django cache: Redis when ``REDIS_URL`` is set,
else each worker's own memory) and drives it with ``wrk`` (``-t2 -c16``) for
``XINFENG_BENCH_SECONDS`` per measurement; a miss is a request whose query string was never
seen (a new key, so the view renders and stores). Prints one JSON line.

    .venv/bin/python bench/bench_reads.py
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _harness import gunicorn, setup_django  # noqa: E402

SECONDS = int(os.environ.get("XINFENG_BENCH_SECONDS", "3"))
CONNECTIONS = int(os.environ.get("XINFENG_BENCH_CONNECTIONS", "16"))
WARM_TARGET, MISS_TARGET = 0.15, 0.08

ENDPOINTS = [
    "/places/sites/",
    "/activities/",
    "/activities/{activity}/",
    "/api/v1/places/sites?limit=50",
    "/api/v1/activities/?limit=20",
    "/open311/v2/services.json",
    "/open311/v2/requests.json",
]

# A settings module whose URLconf adds the floor view; the bench directory is on the path.
FLOOR_MODULES = {
    "bench_floor_urls.py": """
        from django.http import HttpResponse
        from django.urls import path

        from xinfeng.urls import urlpatterns as app_patterns


        def floor(request):
            return HttpResponse(b"ok", content_type="text/plain")


        urlpatterns = [path("_floor", floor), *app_patterns]
    """,
    "bench_floor_settings.py": """
        from xinfeng.settings import *  # noqa: F403

        ROOT_URLCONF = "bench_floor_urls"
    """,
}


def seed() -> int:
    from django.core.management import call_command
    from django.db import transaction

    from xinfeng.activities.models import Activity
    from xinfeng.core import publiccache
    from xinfeng.demo import accounts, activities, places, projects
    from xinfeng.demo.context import DemoContext

    call_command("migrate", verbosity=0)
    ctx = DemoContext(seed=2021, scale="city", out=io.StringIO())
    for step in (places, accounts, projects, activities):
        with transaction.atomic():
            step.generate(ctx)
    publiccache.bump_all()
    return Activity.objects.filter(state="published").order_by("-starts_at").first().pk


MISS_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
function request()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "_b=" .. tid .. "_" .. n)
end
"""


def rate(url: str, seconds: int = SECONDS, *, miss: bool = False) -> dict:
    """Requests per second with ``wrk``; ``miss``: every request carries a query parameter
    never seen before (``_b=<thread>_<n>``), so its key is new and the view renders and
    stores — the cost of a miss."""
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", url]
    if miss:
        script = Path(os.environ["XINFENG_VAR_DIR"]) / "miss.lua"
        script.write_text(MISS_LUA)
        cmd[1:1] = ["-s", str(script)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": round(rps, 1), "errors": int(errors.group(1)) if errors else 0}


def main() -> None:
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="xf-bench-reads-")
    for name, text in FLOOR_MODULES.items():
        (Path(tmp) / name).write_text(textwrap.dedent(text))
    setup_django(tmp, hosts="testserver,127.0.0.1")
    activity = seed()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_floor_settings"
    os.environ["PYTHONPATH"] = os.pathsep.join([tmp, str(ROOT), os.environ.get("PYTHONPATH", "")])
    redis = bool(os.environ.get("REDIS_URL"))
    result: dict = {"bench": "reads", "endpoints": {}}
    with gunicorn(2) as base:
        floors = []
        for path in ENDPOINTS:
            url = base + path.format(activity=activity)
            rate(url, 1)  # warm the cache of both workers
            # The floor is measured next to each endpoint and each ratio taken against the
            # mean of the floors on either side: on a shared machine the load moves within
            # a run, and a floor from the other end of the run compares unlike with unlike.
            before = rate(base + "/_floor")["rps"]
            warm = rate(url)
            miss = rate(url, miss=True)
            after = rate(base + "/_floor")["rps"]
            floors += [before, after]
            result["endpoints"][path] = {"warm": warm, "miss": miss, "floor": (before + after) / 2}
    floor = sum(floors) / len(floors)
    for row in result["endpoints"].values():
        near = row.pop("floor")
        row["floor_rps"] = round(near, 1)
        row["warm_x_floor"] = round(row["warm"]["rps"] / near, 3)
        row["miss_x_floor"] = round(row["miss"]["rps"] / near, 3)
    result.update(
        floor_rps=round(floor, 1),
        floor_runs=[round(f, 1) for f in floors],
        min_warm_x_floor=min(r["warm_x_floor"] for r in result["endpoints"].values()),
        min_miss_x_floor=min(r["miss_x_floor"] for r in result["endpoints"].values()),
        targets={"warm": WARM_TARGET, "miss": MISS_TARGET},
        cache="redis" if redis else "locmem per worker",
        database=os.environ.get("XINFENG_BENCH_DATABASE_URL", "sqlite").split("@")[-1],
        seconds_per_measure=SECONDS,
        load_average=[round(x, 2) for x in os.getloadavg()],
        elapsed_s=round(time.monotonic() - started, 1),
    )
    result["met"] = (
        result["min_warm_x_floor"] >= WARM_TARGET and result["min_miss_x_floor"] >= MISS_TARGET
    )
    print(json.dumps(result, ensure_ascii=False))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
