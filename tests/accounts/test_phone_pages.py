"""The phone flows as pages: sign-up in two steps from the login page, sign-in by code,
password reset by code, phone change; the menu offers each role only what it may use."""

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import DevSms, User
from xinfeng.regions.models import Region

NEW = "13912345678"


def code_for(phone):
    return re.search(r"\d{6}", DevSms.objects.filter(phone=phone).latest("id").text).group(0)


def test_login_page_links_to_sign_up_code_sign_in_and_reset(client, db):
    html = client.get("/accounts/login/?next=/orders/new/").content.decode()
    assert 'href="/accounts/signup/?next=/orders/new/"' in html
    assert "/accounts/login/code/" in html and "/accounts/password/reset/" in html


def test_visitor_signs_up_in_two_steps_and_lands_on_next(client, tree):
    r = client.post("/accounts/signup/", {"phone": NEW, "next": "/orders/new/"})
    assert r.status_code == 302 and r["Location"] == "/accounts/signup/verify/?next=/orders/new/"
    page = client.get(r["Location"]).content.decode()
    assert "139****5678" in page
    r = client.post(
        "/accounts/signup/verify/",
        {
            "code": code_for(NEW),
            "display_name": "赵大妈",
            "home_region": tree.v1.pk,
            "privacy": "on",
            "next": "/orders/new/",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/orders/new/"
    assert client.get("/api/v1/accounts/me").json()["phone"] == NEW


def test_sign_up_errors_stay_on_the_form(client, tree):
    client.post("/accounts/signup/", {"phone": NEW})
    r = client.post(
        "/accounts/signup/verify/",
        {"code": "12", "display_name": "赵", "home_region": tree.v1.pk, "privacy": "on"},
    )
    assert r.status_code == 400 and "验证码错误" in r.content.decode()
    assert not User.objects.filter(phone=NEW).exists()


def test_malformed_number_is_a_form_error(client, db):
    r = client.post("/accounts/signup/", {"phone": "12345"})
    assert r.status_code == 400 and "11 位" in r.content.decode()


def test_second_step_without_the_first_goes_back(client, db):
    r = client.get("/accounts/login/code/verify/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/code/"


def test_sign_in_by_code(client, db):
    UserFactory(username="wang", phone=NEW)
    client.post("/accounts/login/code/", {"phone": NEW})
    r = client.post("/accounts/login/code/verify/", {"code": code_for(NEW)})
    assert r.status_code == 302
    assert client.get("/api/v1/accounts/me").json()["username"] == "wang"


def test_reset_by_code_then_password_sign_in(client, db):
    UserFactory(username="wang", phone=NEW)
    client.post("/accounts/password/reset/", {"phone": NEW})
    r = client.post(
        "/accounts/password/reset/verify/", {"code": code_for(NEW), "password": "Xf-long-pass-91"}
    )
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    r = client.post("/accounts/login/", {"identifier": NEW, "password": "Xf-long-pass-91"})
    assert r.status_code == 302


def test_phone_change_by_code(client, db):
    user = UserFactory(username="wang", phone="13900000000")
    client.force_login(user)
    client.post("/accounts/phone/", {"phone": NEW})
    r = client.post("/accounts/phone/verify/", {"code": code_for(NEW)})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.phone == NEW


def test_sign_up_pages_in_english(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accounts/signup/").content.decode()
    assert "Sign up with your mobile number" in html and "Send code" in html


def _nav(client):
    html = client.get("/").content.decode()
    return re.findall(r'href="([^"]+)"', html)


def test_menu_of_a_resident_has_no_staff_entries(client, tree):
    resident = grant(UserFactory(home_region=tree.v1), Role.RESIDENT, tree.v1)
    client.force_login(resident)
    links = _nav(client)
    for url in ("/orders/new/", "/orders/mine/", "/activities/", "/places/sites/", "/volunteers/"):
        assert url in links, url
    for url in ("/orders/team/", "/insights/", "/places/manage/"):
        assert url not in links, url


def test_menu_of_a_team_leader_has_take_orders(client, tree):
    client.force_login(grant(UserFactory(), Role.TEAM_LEADER, tree.v1))
    assert "/orders/team/" in _nav(client)


@pytest.mark.parametrize("role", [Role.INSTITUTE_ADMIN, Role.LEADER])
def test_menu_of_staff_and_leaders_has_the_dashboard(client, tree, role):
    client.force_login(grant(UserFactory(), role, tree.t1))
    links = _nav(client)
    assert "/insights/" in links
    assert ("/places/manage/" in links) == (role == Role.INSTITUTE_ADMIN)


HAN = re.compile(r"[\u4e00-\u9fff]")


def _english_text(client, url):
    html = client.get(url).content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r'<span class="brand-mark"[^>]*>.*?</span>', "", html)  # the logo 新
    # The language switch offers 中文 by design; place names are data, not interface.
    text = re.sub(r"<[^>]+>", " ", html).replace("中文", "")
    for name in Region.objects.values_list("name", flat=True):
        text = text.replace(name, "")
    return text


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/signup/",
        "/accounts/signup/verify/",
        "/accounts/login/",
        "/accounts/login/code/",
        "/accounts/password/reset/",
        "/accounts/phone/",
        "/accounts/me/data/",
    ],
)
def test_the_phone_and_data_pages_are_complete_in_english(tree, url):
    user = UserFactory(username="li", display_name="Li", phone="13900000000")
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    if url.endswith("verify/"):
        client.post("/accounts/signup/", {"phone": NEW})
    elif url in ("/accounts/phone/", "/accounts/me/data/"):
        client.force_login(user)
    text = _english_text(client, url)
    assert not HAN.findall(text), sorted(set(HAN.findall(text)))
