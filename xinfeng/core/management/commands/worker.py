"""The background worker: enqueue due periodic jobs, then drain the database task queue.

Started by `make run` beside the web server. ``--once`` runs one round (for tests and cron).
Several workers may run at once, on one machine or several (docs/operations.md): each keeps
a heartbeat, claims each periodic job's interval slot before enqueuing it (one enqueue per
slot across all workers), and puts back jobs that a dead worker left running.
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS

# The queue runner of django-tasks' database backend, driven one batch per round; the
# command keeps the signal handling: SIGTERM/SIGINT finish the running job, then exit.
from django_tasks_db.management.commands.db_worker import Worker

from xinfeng.core import db_router, workers
from xinfeng.core.periodic import periodic_jobs


class Command(BaseCommand):
    help = "Run periodic jobs and queued tasks until stopped (or one round with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds")

    stopping = False
    queue_runner: Worker | None = None

    def handle(self, *args, once, interval, **options):
        # Claims, locks, and must see its own writes: the primary, for as long as it runs
        # (a context variable, so `--once` run in-process leaves its caller unpinned).
        pinned = db_router.pin()
        worker_id = workers.new_worker_id()
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self.on_signal)
        heartbeat = workers.Heartbeat(worker_id).start()
        rounds = 0
        try:
            while not self.stopping:
                self.round(worker_id, once=once)
                rounds += 1
                if rounds % 500 == 0:
                    workers.prune_slots()
                if once:
                    return
                end = time.monotonic() + interval
                while not self.stopping and time.monotonic() < end:
                    time.sleep(min(0.1, interval))
        finally:
            heartbeat.stop()
            workers.retire(worker_id)
            db_router.unpin(pinned)

    def on_signal(self, signum, frame) -> None:
        if self.stopping:  # a second signal: stop now, the job is put back by another worker
            raise SystemExit(1)
        self.stopping = True
        if self.queue_runner is not None:
            self.queue_runner.running = False  # finish the current job, take no other

    def round(self, worker_id: str, *, once: bool) -> None:
        workers.requeue_orphans()
        now_mono = time.monotonic()
        now = time.time()
        for job in periodic_jobs():
            if not once and now_mono - job.last_enqueued < job.every_seconds:
                continue
            job.last_enqueued = now_mono
            if once:
                # One round by hand (tests, cron): run every job now.
                job.task.enqueue()
                continue
            with transaction.atomic():
                if workers.claim_slot(job.name, job.every_seconds, worker_id, now=now):
                    job.task.enqueue()
        if self.stopping:
            return
        self.queue_runner = Worker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=0,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
        )
        try:
            self.queue_runner.run()  # checks its connections itself, as Django's requests do
        finally:
            self.queue_runner = None
