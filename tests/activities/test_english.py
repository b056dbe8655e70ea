"""English is complete: every string of the activities catalog is translated, and pages
and API errors switch language."""

from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "xinfeng/activities/locale/en/LC_MESSAGES/django.po"


def test_catalog_is_complete():
    po = polib.pofile(str(PO))
    assert po.percent_translated() == 100
    assert not [e.msgid for e in po if "fuzzy" in e.flags]


def test_activity_list_and_page_in_english(client, make_activity):
    activity = make_activity(title="防诈骗知识讲座")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/activities/").content.decode()
    assert "Civilization practice activities" in html and "Places left" in html
    assert "剩余名额" not in html
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "Log in to sign up" in page and "Who may sign up" in page


def test_api_error_in_english(api_as, make_activity, people):
    activity = make_activity()
    (a,) = people(1)
    c = api_as(a)
    c.post(f"/api/v1/activities/{activity.pk}/signups")
    r = c.post(f"/api/v1/activities/{activity.pk}/signups", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 409
    assert r.json() == {"detail": "You have already signed up.", "code": "already_signed_up"}
