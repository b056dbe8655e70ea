"""A dedicated relay process (``manage.py worker`` also relays, as a periodic job): sends
until stopped; SIGTERM/SIGINT stop it between rows, releasing what it had claimed.

    manage.py sync_relay [--once] [--batch N] [--worker-id NAME]
"""

import json
import signal
import threading

from django.core.management.base import BaseCommand

from xinfeng.sync.services.relay import Relay


class Command(BaseCommand):
    help = "Relay the sync outbox to the upper platforms until stopped (or once)."
    requires_system_checks = []  # a relay needs the models, not the URL conf or admin

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="until nothing is due, then exit")
        parser.add_argument("--batch", type=int, default=None, help="rows claimed per round")
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, once, batch, worker_id, **options):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        relay = Relay(worker_id=worker_id, stop=stop, batch=batch)
        stats = relay.run(forever=not once)
        self.stdout.write(json.dumps(stats.as_dict()))
