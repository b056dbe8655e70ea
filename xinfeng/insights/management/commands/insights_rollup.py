"""Recompute the dashboard rollups now (the worker also does it every few minutes)."""

from django.core.management.base import BaseCommand

from xinfeng.insights.rollup import run_rollup


class Command(BaseCommand):
    help = "Recompute every region's dashboard figures (RegionStat) from the raw tables."

    def handle(self, *args, **options):
        run = run_rollup(trigger="command")
        timings = ", ".join(f"{k} {v:.1f}s" for k, v in run.timings.items())
        self.stdout.write(
            f"rollup: {run.regions:,} regions, {run.changed:,} rows written in "
            f"{run.duration_ms / 1000:.1f}s ({timings})"
        )
