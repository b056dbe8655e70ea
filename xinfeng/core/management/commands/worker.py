"""The background worker: enqueue due periodic jobs, then drain the database task queue.

Started by `make run` beside the web server. ``--once`` runs one round (for tests and cron).
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from xinfeng.core.periodic import periodic_jobs


class Command(BaseCommand):
    help = "Run periodic jobs and queued tasks until stopped (or one round with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between rounds")

    def handle(self, *args, once, interval, **options):
        while True:
            now = time.monotonic()
            for job in periodic_jobs():
                if once or now - job.last_enqueued >= job.every_seconds:
                    job.task.enqueue()
                    job.last_enqueued = now
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--queue-name",
                "*",
                "--no-reload",
                verbosity=0,
            )
            if once:
                return
            time.sleep(interval)
