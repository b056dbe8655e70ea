"""Benchmark: work plans (issue 19).

Builds a throw-away database (SQLite, or ``XINFENG_BENCH_DATABASE_URL``, an empty
database) with ``seed_demo --scale city``, then measures with ``XINFENG_DEBUG=0``:

- ``demo_step_s``: the ``workplans`` demo step as ``seed_demo`` printed it (target < 2 s);
- ``escalate_per_s``: overdue tasks reminded and escalated per second by the worker's job
  over ``XINFENG_BENCH_TASKS`` (default 2,000) extra overdue tasks of 苏家垱乡's plan, and
  ``second_run_ms`` (the idempotent second run: nothing left to do);
- ``progress_page_ms``: the median render of the center's progress page for 2020
  (``XINFENG_BENCH_REQUESTS`` requests, default 20).

Prints one JSON line.

    .venv/bin/python bench/bench_workplans.py
"""

import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _harness import setup_django  # noqa: E402

TASKS = int(os.environ.get("XINFENG_BENCH_TASKS", "2000"))
REQUESTS = int(os.environ.get("XINFENG_BENCH_REQUESTS", "20"))


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="xinfeng-bench-workplans-")
    setup_django(tmp, hosts="testserver,127.0.0.1")
    from django.core.management import call_command
    from django.test import Client

    from xinfeng.accounts.models import User
    from xinfeng.workplans.models import Task, WorkPlan
    from xinfeng.workplans.services.overdue import enforce_task_deadlines

    call_command("migrate", verbosity=0)
    out = StringIO()
    call_command("seed_demo", "--scale", "city", stdout=out)
    step = re.search(r"\(workplans: ([\d.]+)s\)", out.getvalue())
    plan = WorkPlan.objects.get(region__name="苏家垱乡", year=2020)
    owner = User.objects.get(username="station")
    Task.objects.bulk_create(
        [
            Task(plan=plan, title=f"压测任务{i}", owner=owner, deadline=date(2020, 6, 1))
            for i in range(TASKS)
        ],
        batch_size=1000,
    )
    pending = Task.objects.filter(escalated_at__isnull=True).exclude(status="done").count()
    t = time.perf_counter()
    handled = 0
    while True:
        counts = enforce_task_deadlines()
        if not counts:
            break
        handled += counts.get("escalate", 0)
    escalate_s = time.perf_counter() - t
    t = time.perf_counter()
    again = enforce_task_deadlines()
    second_ms = (time.perf_counter() - t) * 1000
    client = Client()
    client.force_login(User.objects.get(username="center"))
    client.get("/workplans/progress/?year=2020")
    times = []
    for _ in range(REQUESTS):
        t = time.perf_counter()
        r = client.get("/workplans/progress/?year=2020")
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    print(
        json.dumps(
            {
                "bench": "workplans",
                "database": os.environ.get("DATABASE_URL", "sqlite").split(":")[0],
                "demo_step_s": float(step.group(1)) if step else None,
                "overdue_tasks": pending,
                "escalated": handled,
                "escalate_per_s": round(handled / escalate_s, 1) if escalate_s else None,
                "second_run_ms": round(second_ms, 1),
                "second_run_counts": again,
                "progress_page_ms": round(statistics.median(times), 1),
                "machine": f"{platform.machine()} {os.cpu_count()} cores",
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
