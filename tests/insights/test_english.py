"""English is complete for the insights pages (Chinese stays the default)."""

from pathlib import Path

import polib
from django.conf import settings
from django.test import Client

from xinfeng.insights.rollup import run_rollup

CATALOG = Path(settings.BASE_DIR, "xinfeng", "insights", "locale", "en", "LC_MESSAGES", "django.po")


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_insights_catalog_is_complete():
    po = polib.pofile(str(CATALOG))
    assert len(po) > 150
    assert [e.msgid for e in po if not e.msgstr or "fuzzy" in e.flags] == []


def test_dashboard_map_and_coverage_pages_in_english(client, leader, city):
    run_rollup()
    english(client).force_login(leader)
    html = client.get(f"/insights/dashboard/{city.city.pk}/").content.decode()
    for text in (
        "New Era Civilization Practice dashboard",
        "Stations",
        "Ranking of subregions",
        "Export to Excel",
    ):
        assert text in html
    assert "Villages outside the 15-minute circle" in client.get("/insights/map/").content.decode()
    assert "Suggested new practice points" in client.get("/insights/coverage/").content.decode()
