"""Build the default indicator scheme (5 indicators, 100 points) for a region and year."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xinfeng.accounts.models import User
from xinfeng.assessment.services.schemes import default_scheme_build, total_points
from xinfeng.regions.models import Region


class Command(BaseCommand):
    help = "Build and publish the default assessment scheme for a region (by code) and year."

    def add_arguments(self, parser):
        parser.add_argument("region_code")
        parser.add_argument("--year", type=int, default=timezone.localdate().year)
        parser.add_argument(
            "--as", dest="username", required=True, help="a staff user of the region"
        )

    def handle(self, *args, region_code, year, username, **options):
        region = Region.objects.filter(code=region_code).first()
        user = User.objects.filter(username=username).first()
        if region is None or user is None:
            raise CommandError("unknown region code or user")
        scheme = default_scheme_build(actor=user, region=region, year=year)
        self.stdout.write(f"scheme {scheme.pk}: {scheme} ({total_points(scheme)} points)")
