"""English is complete: every string of the volunteers catalog is translated, and pages
switch language."""

from pathlib import Path

import polib
from django.conf import settings
from django.test import Client

PO = Path(settings.BASE_DIR) / "xinfeng/volunteers/locale/en/LC_MESSAGES/django.po"


def test_catalog_is_complete():
    po = polib.pofile(str(PO))
    assert po.percent_translated() == 100
    assert not [e.msgid for e in po if "fuzzy" in e.flags]


def test_registration_page_in_english(db):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())  # a visitor signs up first (accounts), then registers
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/volunteers/register/").content.decode()
    assert "Volunteer registration" in html and "Date of birth" in html
    assert "志愿者登记" not in html
