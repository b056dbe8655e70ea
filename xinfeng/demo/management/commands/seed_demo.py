"""Build the demo city (or a province-sized data set) deterministically for a seed."""

import importlib
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xinfeng.demo.context import DemoContext
from xinfeng.regions.models import Region

# Steps run in order; each module has ``generate(ctx)``. Later issues add their steps here.
CITY_STEPS = [
    "places",
    "population",
    "accounts",
    "volunteers",
    "projects",
    "orders",
    "activities",
    "emergency",
    "surveys",
    "assessment",
    "governance",
    "workplans",
]
PROVINCE_STEPS: list[str] = ["province"]


class Command(BaseCommand):
    help = "Generate demo data: --scale city (Gongqingcheng, the report's totals) or province."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["city", "province"], default="city")
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when regions exist")

    def handle(self, *args, scale, seed, if_empty, **options):
        if Region.objects.exists():
            if if_empty:
                self.stdout.write("demo: database already has data; nothing to do")
                return
            raise CommandError(
                "the database already has regions; seed_demo needs an empty database"
            )
        steps = CITY_STEPS if scale == "city" else PROVINCE_STEPS
        if not steps:
            raise CommandError(f"scale {scale!r} is not available yet")
        ctx = DemoContext(seed=seed, scale=scale, out=self.stdout)
        self.context = ctx  # what was built, for a caller holding the command (the tests)
        started = time.monotonic()
        for step in steps:
            module = importlib.import_module(f"xinfeng.demo.{step}")
            t0 = time.monotonic()
            with transaction.atomic():
                module.generate(ctx)
            self.stdout.write(f"  ({step}: {time.monotonic() - t0:.1f}s)")
        self.stdout.write(
            self.style.SUCCESS(f"demo {scale} ready in {time.monotonic() - started:.1f}s")
        )
