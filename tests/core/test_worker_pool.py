"""Several `manage.py worker` processes share one queue (issue 18): no job runs twice, none is
lost when a worker is killed mid-job, and each periodic job is enqueued once per interval
whatever the number of workers. Real processes on a real PostgreSQL database (a second
process must see committed rows; SQLite's single writer is not the deployment we claim)."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xinfeng.core import workers
from xinfeng.core.models import PeriodicSlot, WorkerHeartbeat
from xinfeng.core.periodic import periodic_jobs

from .worker_probe import probe

pytestmark = pytest.mark.django_db(transaction=True)


def _env(**extra) -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _start(env: dict, interval: float = 0.2) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", str(interval)],
        cwd=Path(settings.BASE_DIR),
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> int:
    """Stop a worker; a worker that ignores SIGTERM is killed (and the test fails)."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        return proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        raise AssertionError("the worker did not stop on SIGTERM") from None


def _wait(predicate, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_two_workers_share_the_queue_and_run_each_job_once(postgres_only, tmp_path):
    out = tmp_path / "runs.txt"
    jobs = [probe.enqueue(str(out), f"j{i}", 0.05) for i in range(40)]
    env = _env()
    pool = [_start(env), _start(env)]
    try:
        assert _wait(
            lambda: (
                DBTaskResult.objects.filter(
                    id__in=[j.id for j in jobs], status=TaskResultStatus.SUCCESSFUL
                ).count()
                == len(jobs)
            )
        ), "the pool did not finish the jobs"
    finally:
        for p in pool:
            _stop(p)
    done = Counter(line.split()[1] for line in _lines(out) if line.startswith("done"))
    assert done == Counter({f"j{i}": 1 for i in range(40)}), "a job ran twice or not at all"
    workers_seen = {line.split()[2] for line in _lines(out)}
    assert len(workers_seen) == 2, "both workers should have taken jobs"
    assert all(
        len(r.worker_ids) == 1 for r in DBTaskResult.objects.filter(id__in=[j.id for j in jobs])
    )
    # Stopped cleanly: their heartbeat rows are gone.
    assert not WorkerHeartbeat.objects.exists()


def test_a_live_worker_keeps_its_long_job_and_a_killed_workers_job_runs_again(
    postgres_only, tmp_path
):
    """Worker A takes a long job; B, running beside it, leaves it alone while A's heartbeat
    thread beats (longer than the stale limit); A is killed; B runs the job again."""
    out = tmp_path / "runs.txt"
    job = probe.enqueue(str(out), "long", 60.0)
    fast = {"XINFENG_WORKER_HEARTBEAT_SECONDS": 0.3, "XINFENG_WORKER_STALE_SECONDS": 1.5}
    a = _start(_env(**fast))
    b = None
    try:
        assert _wait(lambda: any(x.startswith("start long") for x in _lines(out)))
        dead = DBTaskResult.objects.get(id=job.id).worker_ids[-1]
        b = _start(_env(**fast))
        assert _wait(lambda: WorkerHeartbeat.objects.exclude(worker_id=dead).exists())
        time.sleep(3)  # twice the stale limit: A is alive, its job must stay with it
        assert [x for x in _lines(out) if x.startswith("start")] == [
            x for x in _lines(out) if x.startswith("start long")
        ]
        assert len([x for x in _lines(out) if x.startswith("start")]) == 1
        assert DBTaskResult.objects.get(id=job.id).worker_ids == [dead]

        _stop(a, signal.SIGKILL)  # no clean-up: the job stays RUNNING under a dead worker
        assert DBTaskResult.objects.get(id=job.id).status == TaskResultStatus.RUNNING
        Path(str(out) + ".go").touch()  # the re-run need not wait
        assert _wait(
            lambda: DBTaskResult.objects.get(id=job.id).status == TaskResultStatus.SUCCESSFUL
        ), "the orphaned job was lost"
    finally:
        _stop(a, signal.SIGKILL)
        if b is not None:
            _stop(b)
    result = DBTaskResult.objects.get(id=job.id)
    assert result.worker_ids[0] == dead and result.worker_ids[-1] != dead
    assert [x.split()[1] for x in _lines(out) if x.startswith("done")] == ["long"]
    assert not WorkerHeartbeat.objects.filter(worker_id=dead).exists()


def test_periodic_jobs_are_enqueued_once_per_interval_across_workers(postgres_only):
    env = _env()
    pool = [_start(env, 0.1) for _ in range(3)]
    try:
        # Every worker's first round finds every job due: each must be claimed once.
        names = {job.name for job in periodic_jobs()}
        assert _wait(lambda: set(PeriodicSlot.objects.values_list("job", flat=True)) >= names)
        time.sleep(2)
    finally:
        for p in pool:
            _stop(p)
    per_slot = Counter(PeriodicSlot.objects.values_list("job", "slot"))
    assert max(per_slot.values()) == 1
    by_job = Counter(PeriodicSlot.objects.values_list("job", flat=True))
    enqueued = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
    for job in periodic_jobs():
        assert enqueued[job.name] == by_job[job.name], (
            f"{job.name}: {enqueued[job.name]} enqueued for {by_job[job.name]} slots"
        )


def test_claim_slot_is_one_winner_per_interval(db):
    assert workers.claim_slot("x.job", 60, "w1", now=120.0)
    assert not workers.claim_slot("x.job", 60, "w2", now=150.0)  # same slot (2)
    assert workers.claim_slot("x.job", 60, "w2", now=180.0)  # next slot
    assert workers.claim_slot("y.job", 60, "w2", now=150.0)  # another job
