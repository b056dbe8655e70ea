"""自助终端 (issue 16): pairing with a one-time code, identification by phone and SMS
code, ordering with a ticket, the visit wiped after finishing or 60 s idle (no-store), and
the kiosk credential's least privilege (every API operation and every other page: 403)."""

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import DevSms
from xinfeng.activities.models import Attendance, Signup
from xinfeng.kiosk import services
from xinfeng.kiosk.models import KioskDevice
from xinfeng.orders.models import Order

from ..activities.conftest import make_activity, start_now  # noqa: F401  (fixture)
from ..factories import ProjectFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(tree):
    return grant(UserFactory(username="kiosk_op"), Role.STATION_OPERATOR, tree.v1)


@pytest.fixture
def kiosk(tree, operator):
    """A paired kiosk of 水口村实践站 (a browser holding the kiosk cookie)."""
    staff = Client()
    staff.force_login(operator)
    r = staff.post(reverse("kiosk:devices"), {"site": tree.st1.pk, "name": "大厅一号"})
    code = r.context["code"]
    c = Client()
    r = c.post(reverse("kiosk:pair", args=[tree.st1.pk]), {"code": code})
    assert r.status_code == 302 and services.COOKIE in r.cookies
    # The code is single-use.
    again = Client().post(reverse("kiosk:pair", args=[tree.st1.pk]), {"code": code})
    assert again.status_code == 400
    return c


def _identify(c, site, phone="13800000001"):
    r = c.post(reverse("kiosk:code", args=[site.pk]), {"phone": phone})
    assert r.status_code == 200, r.content
    code = re.search(r"\d{6}", DevSms.objects.filter(phone=phone).latest("id").text).group(0)
    r = c.post(reverse("kiosk:code_verify", args=[site.pk]), {"phone": phone, "code": code})
    assert r.status_code == 302


def test_pairing_needs_staff_of_the_site(tree, resident):
    c = Client()
    c.force_login(resident)
    assert c.get(reverse("kiosk:devices")).status_code == 404
    unpaired = Client().get(reverse("kiosk:home", args=[tree.st1.pk]))
    assert unpaired.status_code == 200 and "配对码" in unpaired.content.decode()
    bad = Client().post(reverse("kiosk:pair", args=[tree.st1.pk]), {"code": "12345678"})
    assert bad.status_code == 400


def test_identify_order_ticket_and_wipe(kiosk, tree, resident):
    resident.home_region = tree.v1
    resident.save()
    project = ProjectFactory(name="上门理发", site=tree.st1, region=tree.v1)
    home = reverse("kiosk:home", args=[tree.st1.pk])
    start = kiosk.get(home)
    assert "no-store" in start["Cache-Control"] and "发送验证码" in start.content.decode()
    _identify(kiosk, tree.st1)
    menu = kiosk.get(home).content.decode()
    assert resident.name in menu
    order_url = reverse("kiosk:order", args=[tree.st1.pk])
    assert "上门理发" in kiosk.get(order_url).content.decode()
    r = kiosk.post(order_url, {"project": project.pk})
    order = Order.objects.get(requester=resident)
    done = reverse("kiosk:done", args=[tree.st1.pk])
    assert r.status_code == 302 and r["Location"] == done
    ticket = kiosk.get(done)
    assert f">{order.pk}<" in ticket.content.decode() and "no-store" in ticket["Cache-Control"]
    assert kiosk.get(done).status_code == 302  # shown once
    assert order.project == project and order.region == tree.v1
    # Finished: the next person sees nothing of the previous one, nor does the back button.
    assert resident.name not in kiosk.get(home).content.decode()
    back = kiosk.get(order_url)
    assert back.status_code == 302 and "no-store" in back["Cache-Control"]


def test_idle_visit_is_wiped(kiosk, tree, resident):
    home = reverse("kiosk:home", args=[tree.st1.pk])
    _identify(kiosk, tree.st1)
    session = kiosk.session
    visit = session[services.VISIT]
    visit["at"] = time.time() - services.IDLE_SECONDS - 1
    session[services.VISIT] = visit
    session.save()
    assert resident.name not in kiosk.get(home).content.decode()
    assert services.VISIT not in kiosk.session


def test_end_wipes_the_visit(kiosk, tree, resident):
    home = reverse("kiosk:home", args=[tree.st1.pk])
    _identify(kiosk, tree.st1)
    assert kiosk.post(reverse("kiosk:end", args=[tree.st1.pk])).status_code == 302
    assert resident.name not in kiosk.get(home).content.decode()


def test_the_kiosk_credential_does_kiosk_things_only(kiosk, tree, operator):
    token = kiosk.cookies[services.COOKIE].value
    doc = Client().get("/api/v1/openapi.json").json()
    ops = [
        (m, p)
        for p, item in doc["paths"].items()
        for m in item
        if m in ("get", "post", "put", "patch", "delete")
    ]
    assert len(ops) > 50
    for method, path in ops:
        url = re.sub(r"\{[^}]+\}", "1", path)
        for c in (kiosk, Client(HTTP_AUTHORIZATION=f"Bearer {token}")):
            r = c.generic(method.upper(), url, "{}", content_type="application/json")
            assert r.status_code in (403, 404), (method, path, r.status_code)
            assert r.json()["code"] == "kiosk_only"
    for page in ("/", "/orders/new/", "/places/sites/", "/accounts/me/", "/kiosk/devices/"):
        assert kiosk.get(page).status_code == 403, page
    # Another site's kiosk pages: not for this kiosk.
    assert kiosk.get(reverse("kiosk:home", args=[tree.st2.pk])).status_code == 404
    # Revoked: back to the pair page.
    staff = Client()
    staff.force_login(operator)
    device = KioskDevice.objects.get()
    assert staff.post(reverse("kiosk:revoke", args=[device.pk])).status_code == 302
    assert kiosk.get(reverse("kiosk:home", args=[tree.st1.pk])).status_code == 404


def _later_today(minutes: int = 5):
    """A start later today (the kiosk lists today's activities): in ``minutes``, or just
    before local midnight when that would be tomorrow (a run at 23:57 failed); within the
    day's last seconds, after midnight."""
    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    if midnight - now < timedelta(seconds=20):
        time.sleep((midnight - now).total_seconds() + 0.5)
        return _later_today(minutes)
    return min(now + timedelta(minutes=minutes), midnight - timedelta(seconds=10))


def test_todays_activities_sign_up_and_check_in(kiosk, tree, resident, make_activity):  # noqa: F811
    later = make_activity(title="重阳节包饺子", starts_at=_later_today())
    activity = start_now(make_activity(title="重阳节敬老活动"))
    url = reverse("kiosk:activities", args=[tree.st1.pk])
    assert kiosk.get(url).status_code == 302  # nobody at the screen yet
    _identify(kiosk, tree.st1)
    body = kiosk.get(url).content.decode()
    assert "重阳节敬老活动" in body and "重阳节包饺子" in body
    r = kiosk.post(url, {"activity": later.pk, "action": "signup"})
    assert r.status_code == 200 and Signup.objects.filter(activity=later, user=resident).exists()
    r = kiosk.post(url, {"activity": activity.pk, "action": "checkin"})
    assert r.status_code == 200
    assert Attendance.objects.filter(activity=activity, user=resident).exists()
    again = kiosk.post(url, {"activity": activity.pk, "action": "checkin"})
    assert again.status_code == 409


def test_identify_by_qr_once(kiosk, tree, resident):
    from django.core import signing

    phone = Client()
    phone.force_login(resident)
    page = phone.get(reverse("kiosk:me_qr"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    token = page.context["token"]
    url = reverse("kiosk:qr", args=[tree.st1.pk])
    assert kiosk.post(url, {"qr": token}).status_code == 302
    assert resident.name in kiosk.get(reverse("kiosk:home", args=[tree.st1.pk])).content.decode()
    kiosk.post(reverse("kiosk:end", args=[tree.st1.pk]))
    # Once only; a forged or stale code is refused.
    assert kiosk.post(url, {"qr": token}).status_code == 400
    forged = signing.TimestampSigner(salt="another").sign(f"{resident.pk}.abcd")
    assert kiosk.post(url, {"qr": forged}).status_code == 400
    old = signing.TimestampSigner(salt=services.QR_SALT)
    stale = old.sign(f"{resident.pk}.ffff")
    time_travel = time.time() + services.QR_MAX_AGE + 5
    import unittest.mock

    with unittest.mock.patch("django.core.signing.time.time", return_value=time_travel):
        assert kiosk.post(url, {"qr": stale}).status_code == 400


def test_walk_in_is_confirmed_by_staff_of_the_site(kiosk, tree, operator, resident):
    from xinfeng.kiosk.models import KioskWalkIn

    kiosk.post(reverse("kiosk:walk_in", args=[tree.st1.pk]))
    walk_in = KioskWalkIn.objects.get()
    assert walk_in.site == tree.st1 and walk_in.confirmed_at is None
    url = reverse("kiosk:walk_in_confirm", args=[walk_in.pk])
    other = Client()
    other.force_login(resident)
    assert other.post(url).status_code == 404
    staff = Client()
    staff.force_login(operator)
    assert url in staff.get(reverse("kiosk:devices")).content.decode()
    assert staff.post(url).status_code == 302
    walk_in.refresh_from_db()
    assert walk_in.confirmed_by == operator and walk_in.confirmed_at is not None


def test_kiosk_of_an_institute_for_a_person_without_a_home(tree, operator, resident):
    """A township's institute: the place falls back to the site's area, never a 500."""
    owner = grant(UserFactory(username="inst_admin"), Role.INSTITUTE_ADMIN, tree.t1)
    code = services.pair_code_issue(actor=owner, site=tree.inst1)
    c = Client()
    c.post(reverse("kiosk:pair", args=[tree.inst1.pk]), {"code": code})
    project = ProjectFactory(name="法律咨询", site=tree.inst1, region=tree.t1)
    _identify(c, tree.inst1)
    url = reverse("kiosk:order", args=[tree.inst1.pk])
    assert c.get(url, {"project": project.pk}).status_code == 200
    r = c.post(url, {"project": project.pk})
    assert r.status_code in (302, 400, 403, 409)
    assert r.status_code != 302 or Order.objects.get(requester=resident).region == tree.t1


def test_pair_codes_cannot_be_guessed(tree, operator):
    from django.core.cache import cache

    cache.delete(f"kiosk-pair-fails:{tree.st2.pk}")
    url = reverse("kiosk:pair", args=[tree.st2.pk])
    c = Client()
    for n in range(services.PAIR_MAX_FAILS):
        assert c.post(url, {"code": f"{n:08d}"}).status_code == 400
    # Even the right code waits now.
    owner = grant(UserFactory(username="st2_op"), Role.STATION_OPERATOR, tree.v2)
    code = services.pair_code_issue(actor=owner, site=tree.st2)
    assert c.post(url, {"code": code}).status_code == 429
    cache.delete(f"kiosk-pair-fails:{tree.st2.pk}")
