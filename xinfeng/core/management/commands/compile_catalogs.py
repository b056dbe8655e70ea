"""Compile every .po catalog to .mo in pure Python (no GNU gettext needed on the machine)."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile translation catalogs (.po -> .mo) without GNU gettext."

    def handle(self, *args, **options):
        count = 0
        # The project catalog plus each app's own (xinfeng/<app>/locale).
        bases = [*settings.LOCALE_PATHS, *Path(settings.BASE_DIR, "xinfeng").glob("*/locale")]
        for base in bases:
            for po_path in Path(base).rglob("*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
        self.stdout.write(f"catalogs: {count} compiled")
