"""Load the population layer of the 15-minute circle from a CSV of weighted points."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfeng.core.errors import ValidationFailed
from xinfeng.places.coverage_load import population_load_csv


class Command(BaseCommand):
    help = (
        "Load population points from CSV (header: lat,lng,weight[,region_code|region_id]); "
        "points without a region go to the nearest village."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", help="path of the CSV file (UTF-8)")
        parser.add_argument("--source", help="label stored with the points (default: file name)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="first delete the points previously loaded with the same --source",
        )

    def handle(self, *args, csv, source, replace, **options):
        path = Path(csv)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:
                result = population_load_csv(lines=f, source=source or path.name, replace=replace)
        except ValidationFailed as exc:
            raise CommandError(str(exc.detail)) from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text") from None
        self.stdout.write(
            f"population: {result.created} points loaded ({result.total_weight:,.0f} residents)"
            + (f", {result.deleted} old points replaced" if replace else "")
        )
