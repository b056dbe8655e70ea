"""长辈模式 and the kiosk in English (issue 16): the care order steps, the top bar's care
switch and the kiosk screens carry no untranslated Chinese (names of places and services
are data and stay as written)."""

import pytest
from django.urls import reverse

from xinfeng.accounts.care import COOKIE
from xinfeng.accounts.choices import Role
from xinfeng.kiosk import services

from ..core.test_i18n import HAN, english_client, visible_text
from ..factories import ProjectFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def untranslated(html: str, *data: str) -> list[str]:
    text = html
    # The brand mark 新 and the switch to 中文 are meant to be Chinese.
    for d in (
        *sorted(data, key=len, reverse=True),
        '<span class="brand-mark" aria-hidden="true">新</span>',
        "中文",
    ):
        text = text.replace(d, "")
    text = visible_text(text)
    return [line.strip() for line in text.splitlines() if HAN.search(line)]


def test_care_pages_in_english(tree, resident):
    resident.home_region = tree.v1
    resident.display_name = "Gran"
    resident.save()
    tree.st1.phone = "0792-4561234"
    tree.st1.save()
    project = ProjectFactory(name="Haircut", site=tree.st1, region=tree.v1)
    c = english_client()
    c.force_login(resident)
    c.cookies[COOKIE] = "1"
    names = (tree.v1.name, tree.v2.name, tree.t1.name, tree.t2.name, tree.city.name, tree.st1.name)
    for url in (reverse("orders:care"), reverse("orders:care") + f"?project={project.pk}"):
        r = c.get(url)
        assert r.status_code == 200
        assert untranslated(r.content.decode(), *names) == [], url
    body = c.get(reverse("orders:care")).content.decode()
    assert "Read aloud" in body and "Call the station" in body and "Standard mode" in body


def test_kiosk_screens_in_english(tree):
    operator = grant(UserFactory(username="kiosk_op"), Role.STATION_OPERATOR, tree.v1)
    code = services.pair_code_issue(actor=operator, site=tree.st1)
    c = english_client()
    c.post(reverse("kiosk:pair", args=[tree.st1.pk]), {"code": code})
    names = (tree.st1.name,)
    r = c.get(reverse("kiosk:home", args=[tree.st1.pk]))
    assert "Send a code" in r.content.decode()
    assert untranslated(r.content.decode(), *names) == []
    c.post(reverse("kiosk:walk_in", args=[tree.st1.pk]))
    r = c.get(reverse("kiosk:home", args=[tree.st1.pk]))
    assert "Walk-in" in r.content.decode()
    assert untranslated(r.content.decode(), *names) == []
    staff = english_client()
    staff.force_login(operator)
    r = staff.post(reverse("kiosk:devices"), {"site": tree.st1.pk})
    assert (
        untranslated(
            r.content.decode(),
            tree.st1.name,
            tree.st2.name,
            "苏家垱乡实践所",
            "江益镇实践所",
            operator.name,
            "实践中心",
        )
        == []
    )
