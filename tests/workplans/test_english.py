"""Every workplans page in English: no catalog string left untranslated (the parser and the
msgid set of the project's English crawl), with the forms and the township's review open."""

from datetime import date

from django.test import Client

from tests.test_english_crawl import CJK, Interface, interface_msgids
from xinfeng.workplans.services import designation_create, task_create


def _untranslated(client, url) -> list[str]:
    r = client.get(url)
    assert r.status_code == 200, url
    parser = Interface()
    parser.feed(r.content.decode())
    return [
        f"{url} <{where}> {text[:60]}"
        for where, text in parser.strings
        if CJK.search(text) and text in interface_msgids()
    ]


def test_workplans_pages_are_complete_in_english(wp):
    task = task_create(
        actor=wp.owner,
        plan=wp.plan,
        title="建好村史馆",
        owner=wp.station_op,
        deadline=date(2020, 5, 1),
    )
    designation_create(actor=wp.center_admin, site=wp.tree.st1, year=2020, criteria="达标")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(wp.center_admin)
    found = []
    for url in [
        "/workplans/",
        f"/workplans/{wp.plan.pk}/",
        f"/workplans/tasks/{task.pk}/",
        "/workplans/progress/?year=2020",
        "/workplans/demo-sites/?year=2020",
        "/workplans/demo-sites/townships/?year=2020",
        f"/workplans/demo-sites/townships/{wp.tree.t1.pk}/",
        f"/places/sites/{wp.tree.st1.pk}/",
    ]:
        found += _untranslated(client, url)
    assert not found, "\n".join(found)
    assert "Work plans" in client.get("/workplans/").content.decode()
