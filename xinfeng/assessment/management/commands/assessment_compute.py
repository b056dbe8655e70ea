"""Compute and store a period's results for a scheme (the task the worker would run)."""

import time

from django.core.management.base import BaseCommand, CommandError

from xinfeng.assessment.models import Scheme
from xinfeng.assessment.services.results import results_compute


class Command(BaseCommand):
    help = "Compute a scheme's results for a period (2026, 2026-Q1 or 2026-03)."

    def add_arguments(self, parser):
        parser.add_argument("scheme_id", type=int)
        parser.add_argument("period")

    def handle(self, *args, scheme_id, period, **options):
        scheme = Scheme.objects.filter(pk=scheme_id).first()
        if scheme is None:
            raise CommandError("unknown scheme")
        started = time.monotonic()
        try:
            n = results_compute(scheme=scheme, period_key=period)
        except ValueError as exc:
            raise CommandError(f"bad period {period!r}") from exc
        self.stdout.write(f"results: {n} places in {time.monotonic() - started:.1f}s")
