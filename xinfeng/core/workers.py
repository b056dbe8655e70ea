"""Several ``manage.py worker`` processes (on one or several machines) share one queue.

- The task queue itself (django-tasks' database backend) already claims a job with
  ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never take the same job.
- Periodic jobs: every worker wants to enqueue them; :func:`claim_slot` lets exactly one
  enqueue a job per interval (a unique row per job and slot).
- A killed worker: its job stays RUNNING. Each worker keeps a heartbeat row fresh from a
  thread; :func:`requeue_orphans` puts RUNNING jobs of workers with a stale heartbeat back to
  READY, so they run again (jobs find their work in the database and are idempotent).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from xinfeng.core.models import PeriodicSlot, WorkerHeartbeat

log = logging.getLogger(__name__)


def heartbeat_seconds() -> float:
    return float(getattr(settings, "WORKER_HEARTBEAT_SECONDS", 5))


def stale_after_seconds() -> float:
    """A worker silent for this long is taken for dead (several missed heartbeats)."""
    return float(getattr(settings, "WORKER_STALE_SECONDS", 60))


def new_worker_id() -> str:
    host = socket.gethostname()[:32]
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "last_seen": timezone.now(),
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def retire(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class Heartbeat:
    """Refreshes the worker's row from a daemon thread until stopped (its own connection)."""

    def __init__(self, worker_id: str, every: float | None = None):
        self.worker_id = worker_id
        self.every = heartbeat_seconds() if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xinfeng-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        beat(self.worker_id)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    beat(self.worker_id)
                except Exception:  # a database blip must not end the worker
                    log.exception("worker heartbeat failed")
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 5)


def claim_slot(job: str, every_seconds: float, worker_id: str, now: float | None = None) -> bool:
    """True for exactly one caller per job and interval slot, across processes and machines.

    Call inside the transaction that enqueues the job: if enqueuing fails, the claim is
    rolled back with it.
    """
    now = time.time() if now is None else now
    slot = int(now // max(every_seconds, 1))
    try:
        with transaction.atomic():
            PeriodicSlot.objects.create(job=job[:200], slot=slot, claimed_by=worker_id)
    except IntegrityError:
        return False
    return True


def prune_slots(keep: timedelta = timedelta(days=2)) -> int:
    deleted, _ = PeriodicSlot.objects.filter(claimed_at__lt=timezone.now() - keep).delete()
    return deleted


def requeue_orphans() -> int:
    """Put back jobs left RUNNING by workers whose heartbeat is stale or gone."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(seconds=stale_after_seconds())
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        if connection.features.has_select_for_update_skip_locked:
            running = running.select_for_update(skip_locked=True)
        for result in running:
            owner = result.worker_ids[-1] if result.worker_ids else None
            # A job claimed without a heartbeat (an older worker, `db_worker` by hand) is
            # judged by its start time alone.
            started = result.started_at or result.enqueued_at
            if owner in alive or (started and started >= cutoff):
                continue
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            requeued += 1
            log.warning("re-queued job %s left running by %s", result.pk, owner)
    WorkerHeartbeat.objects.filter(last_seen__lt=cutoff).delete()
    return requeued
