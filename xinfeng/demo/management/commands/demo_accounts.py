from django.core.management.base import BaseCommand

from xinfeng.accounts.models import User
from xinfeng.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from xinfeng.demo.governance import DEPARTMENT_ACCOUNTS

# (username, display name, phone, role or department, …, note): the note is last.
ACCOUNTS = [*DEMO_ACCOUNTS, *DEPARTMENT_ACCOUNTS]


class Command(BaseCommand):
    help = "Print the demo logins (demo data only)."

    def handle(self, *args, **options):
        present = set(
            User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).values_list(
                "username", flat=True
            )
        )
        if not present:
            return
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _name, phone, *_rest, note in ACCOUNTS:
            if username in present:
                self.stdout.write(f"  {username:<12} {phone}  {note}")
