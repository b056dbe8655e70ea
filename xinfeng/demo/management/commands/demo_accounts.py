from django.core.management.base import BaseCommand

from xinfeng.accounts.models import User
from xinfeng.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins (demo data only)."

    def handle(self, *args, **options):
        present = set(
            User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).values_list(
                "username", flat=True
            )
        )
        if not present:
            return
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _name, phone, _role, _code, note in DEMO_ACCOUNTS:
            if username in present:
                self.stdout.write(f"  {username:<11} {phone}  {note}")
