"""Chinese by default, English complete, a language switcher on every page."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

from xinfeng.places.models import Site
from xinfeng.regions.models import Region

HAN = re.compile(r"[\u4e00-\u9fff]")
PROJECT_PO = Path(settings.BASE_DIR, "xinfeng", "locale", "en", "LC_MESSAGES", "django.po")


def english_client() -> Client:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def session(owner):
    client = Client()
    client.force_login(owner)
    return client


PAGES = ["/", "/places/sites/", "/accounts/login/", "/places/sites/SITE/", "/no/such/page/"]
STAFF_PAGES = ["/accounts/me/", "/accounts/tokens/", "/accounts/password/", "/places/manage/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_public_page_has_the_language_switcher(client, tree, path):
    html = client.get(path.replace("SITE", str(tree.st1.id))).content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_every_signed_in_page_has_the_language_switcher(session, path):
    html = session.get(path).content.decode()
    assert 'action="/i18n/setlang/"' in html


def test_chinese_is_the_default(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="zh-CN">' in html
    assert "新时代文明实践" in html


def test_switching_to_english_and_back(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/places/sites/"})
    assert response["Location"] == "/places/sites/"
    html = client.get("/places/sites/").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Practice sites</h1>" in html
    assert 'name="language" value="zh-hans"' in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "<h1>实践阵地</h1>" in client.get("/places/sites/").content.decode()


@pytest.mark.parametrize("path", ["/", "/places/sites/", "/accounts/login/", "/no/such/page/"])
def test_english_pages_have_no_untranslated_chinese(db, path):
    text = visible_text(english_client().get(path).content.decode())
    # The only Chinese left is the switch back to Chinese and the brand mark.
    leftovers = set(HAN.findall(text)) - set("中文新")
    assert not leftovers, f"untranslated on {path}: {''.join(sorted(leftovers))}"


def test_english_staff_pages_have_no_untranslated_chinese(owner):
    client = english_client()
    client.force_login(owner)
    for path in STAFF_PAGES:
        text = visible_text(client.get(path).content.decode())
        # User data (people, regions, sites) stays as entered.
        data = [owner.name, *Region.objects.values_list("name", flat=True)]
        data += Site.objects.values_list("name", flat=True)
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, "")
        leftovers = set(HAN.findall(text)) - set("中文新")
        assert not leftovers, f"untranslated on {path}: {''.join(sorted(leftovers))}"


def test_api_errors_follow_the_language(client, db):
    zh = client.get("/api/v1/places/sites/987654")
    en = client.get("/api/v1/places/sites/987654", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.json() == {"detail": "未找到。", "code": "not_found"}
    assert en.json() == {"detail": "Not found.", "code": "not_found"}


def test_project_catalog_is_complete():
    po = polib.pofile(str(PROJECT_PO))
    assert len(po) > 200
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_every_placeholder_survives_translation():
    po = polib.pofile(str(PROJECT_PO))
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in po.translated_entries():
        targets = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        for target in targets:
            assert sorted(placeholder.findall(entry.msgid)) == sorted(
                placeholder.findall(target)
            ), entry.msgid


def test_app_catalogs_are_used_beside_the_project_catalog():
    """LOCALE_PATHS holds the project catalog; each app's own xinfeng/<app>/locale is found
    too (the project catalog wins where both translate the same string)."""
    from django.utils import translation

    project = {e.msgid: e.msgstr for e in polib.pofile(str(PROJECT_PO)).translated_entries()}
    app_catalogs = sorted(
        Path(settings.BASE_DIR, "xinfeng").glob("*/locale/en/LC_MESSAGES/django.po")
    )
    checked = 0
    with translation.override("en"):
        for path in app_catalogs:
            entries = [
                e
                for e in polib.pofile(str(path)).translated_entries()
                if not e.msgid_plural and not e.msgctxt and "fuzzy" not in e.flags
            ]
            for entry in entries[:5]:
                got = translation.gettext(entry.msgid)
                assert got in {entry.msgstr, project.get(entry.msgid)}, (path, entry.msgid, got)
                checked += 1
    assert checked or not app_catalogs
