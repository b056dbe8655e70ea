"""Background work of the sync app, run by ``manage.py worker``."""

import signal
import threading

from django_tasks import task

from . import conf
from .services.outbox import sweep_bulk_created_volunteers
from .services.reconcile import reports_refresh
from .services.relay import Relay


@task()
def relay_outbox() -> dict:
    """Send what is due, for at most ``relay_budget_seconds``; the rows live in the
    database, so a restarted worker carries on. SIGTERM stops it between rows."""
    stop = threading.Event()
    previous = None
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        previous = signal.getsignal(signal.SIGTERM)

        def on_term(signum, frame):
            stop.set()
            if callable(previous):
                previous(signum, frame)

        signal.signal(signal.SIGTERM, on_term)
    try:
        return Relay(stop=stop).run(budget_seconds=conf.relay_budget_seconds()).as_dict()
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


@task()
def write_daily_reports() -> dict:
    """Refresh today's and yesterday's per-target figures."""
    return {"reports": reports_refresh(days=2)}


@task()
def sweep_unreported_volunteers() -> dict:
    """Rows for volunteers created without signals (bulk imports)."""
    return {"written": sweep_bulk_created_volunteers()}
