from django.core.management.base import BaseCommand, CommandError

from xinfeng.accounts.models import User
from xinfeng.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API bearer token for USER (username or phone) and print it once."

    def add_arguments(self, parser):
        parser.add_argument("user")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, user, name, **options):
        account = (
            User.objects.filter(username=user).first() or User.objects.filter(phone=user).first()
        )
        if account is None:
            raise CommandError(f"no such user: {user}")
        _token, raw = api_token_create(user=account, name=name)
        self.stdout.write(raw)
