"""The phone flows through the JSON API (for a WeChat mini-program): sign-up, sign-in by
code and by password, password reset, phone change; code errors, throttling and malformed
numbers; the same answer whether or not a number has an account."""

import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from xinfeng.accounts.models import Consent, DevSms, PhoneCode, RoleAssignment, User
from xinfeng.core.models import AuditEvent

API = "/api/v1/accounts"
NEW = "13912345678"


def post(client, path, body, **extra):
    return client.post(API + path, body, content_type="application/json", **extra)


def last_code(phone: str) -> str:
    """The code in the newest development SMS to ``phone`` (what the person reads)."""
    sms = DevSms.objects.filter(phone=phone).order_by("-id").first()
    assert sms is not None, "no SMS was sent"
    return re.search(r"\d{6}", sms.text).group(0)


def send(client, phone=NEW, purpose="signup"):
    return post(client, "/codes", {"phone": phone, "purpose": purpose})


def expire_codes():
    """Let the throttling interval pass (rows are moved back in time)."""
    past = timezone.now() - timedelta(seconds=61)
    PhoneCode.objects.update(created_at=past)
    from xinfeng.accounts.models import SmsQuota

    SmsQuota.objects.update(last_sent_at=past)


@pytest.fixture
def anon():
    return Client()


def signup_body(tree, code, phone=NEW, **over):
    body = {
        "phone": phone,
        "code": code,
        "display_name": "赵大妈",
        "home_region_id": tree.v1.pk,
        "password": "",
        "privacy_accepted": True,
    }
    body.update(over)
    return body


def test_signup_with_a_code_creates_a_resident_and_answers_a_token(anon, tree):
    assert send(anon).status_code == 202
    response = post(anon, "/signup", signup_body(tree, last_code(NEW)))
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    me = anon.get(API + "/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["name"] == "赵大妈" and me["phone"] == NEW
    user = User.objects.get(phone=NEW)
    assert user.home_region == tree.v1 and not user.has_usable_password()
    assert RoleAssignment.objects.filter(user=user, role="resident", region=tree.v1).exists()
    consent = Consent.objects.get(user=user, kind="privacy")
    assert consent.version and consent.withdrawn_at is None
    assert AuditEvent.objects.filter(action="user_signup", object_id=str(user.pk)).exists()


def test_codes_are_stored_hashed(anon, tree):
    send(anon)
    code = last_code(NEW)
    row = PhoneCode.objects.get()
    assert code not in row.code_hash and NEW not in row.phone_hash


def test_signup_without_privacy_consent_is_refused_and_keeps_the_code(anon, tree):
    send(anon)
    code = last_code(NEW)
    response = post(anon, "/signup", signup_body(tree, code, privacy_accepted=False))
    assert response.status_code == 400
    assert response.json()["code"] == "privacy_consent_required"
    assert post(anon, "/signup", signup_body(tree, code)).status_code == 201


def test_wrong_code_is_400_code_invalid(anon, tree):
    send(anon)
    code = last_code(NEW)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = post(anon, "/signup", signup_body(tree, wrong))
    assert response.status_code == 400 and response.json()["code"] == "code_invalid"
    assert not User.objects.filter(phone=NEW).exists()


def test_expired_code_is_400_code_expired(anon, tree):
    send(anon)
    code = last_code(NEW)
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = post(anon, "/signup", signup_body(tree, code))
    assert response.status_code == 400 and response.json()["code"] == "code_expired"


def test_reused_code_is_400_code_used(anon, tree, db):
    user = User.objects.create(username="li", phone=NEW)
    send(anon, purpose="login")
    code = last_code(NEW)
    assert post(anon, "/login/code", {"phone": NEW, "code": code}).status_code == 200
    again = post(anon, "/login/code", {"phone": NEW, "code": code})
    assert again.status_code == 400 and again.json()["code"] == "code_used"
    assert AuditEvent.objects.filter(action="login_by_code", object_id=str(user.pk)).count() == 1


def test_sixth_try_is_refused_even_with_the_right_code(anon, tree):
    send(anon)
    code = last_code(NEW)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert post(anon, "/signup", signup_body(tree, wrong)).json()["code"] == "code_invalid"
    response = post(anon, "/signup", signup_body(tree, code))
    assert response.status_code == 400 and response.json()["code"] == "code_too_many_tries"


def test_second_send_within_a_minute_is_429(anon, tree):
    assert send(anon).status_code == 202
    response = send(anon, purpose="login")
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 3600  # says how long to wait
    assert DevSms.objects.count() == 1


@override_settings(XINFENG_SMS_PER_DAY=3)
def test_daily_limit_per_number_is_429(anon, tree):
    for _ in range(3):
        assert send(anon).status_code == 202
        expire_codes()  # only the 60 s interval passes; the rows stay within the day
        PhoneCode.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert send(anon).status_code == 429


@override_settings(XINFENG_SMS_PER_IP_HOUR=3)
def test_sends_from_one_address_are_limited_across_numbers(anon, tree):
    for i in range(3):
        assert send(anon, phone=f"1391234560{i}").status_code == 202
    response = send(anon, phone="13912345609")
    assert response.status_code == 429
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert send(other, phone="13912345609").status_code == 202


@pytest.mark.parametrize("phone", ["12345", "23912345678", "1391234567x", "139123456789", ""])
def test_malformed_number_is_400(anon, db, phone):
    response = send(anon, phone=phone)
    assert response.status_code == 400 and response.json()["code"] == "invalid_phone"


def test_number_with_country_code_and_spaces_is_accepted(anon, tree):
    assert send(anon, phone="+86 139-1234-5678").status_code == 202
    assert DevSms.objects.filter(phone=NEW).exists()


@pytest.mark.parametrize("purpose", ["signup", "login", "reset"])
def test_same_answer_for_registered_and_unknown_numbers(anon, tree, purpose):
    User.objects.create(username="known", phone="13911112222")
    known = send(anon, phone="13911112222", purpose=purpose)
    unknown = send(Client(REMOTE_ADDR="10.9.9.9"), phone="13933334444", purpose=purpose)
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    # … and the same when the code typed is wrong.
    body = {"phone": "", "code": "000000", "new_password": "Xf-long-pass-91"}
    answers = []
    for phone in ("13911112222", "13933334444"):
        if purpose == "signup":
            r = post(anon, "/signup", signup_body(tree, "000000", phone=phone))
        elif purpose == "login":
            r = post(anon, "/login/code", {"phone": phone, "code": "000000"})
        else:
            r = post(anon, "/password/reset", {**body, "phone": phone})
        answers.append((r.status_code, r.json()["code"]))
    assert answers[0] == answers[1] and answers[0][0] == 400


def test_signup_for_a_registered_number_sends_no_code_and_cannot_succeed(anon, tree):
    User.objects.create(username="known", phone=NEW)
    send(anon)
    sms = DevSms.objects.get(phone=NEW)
    assert not re.search(r"\d{6}", sms.text)  # a notice to sign in instead, no code


def test_sign_in_with_password_answers_a_token_and_wrong_password_400(anon, db):
    from tests.factories import UserFactory

    UserFactory(username="wang", phone="13900000000")
    ok = post(anon, "/login/password", {"identifier": "13900000000", "password": "pass-12345"})
    assert ok.status_code == 200 and ok.json()["token"].startswith("xf_")
    bad = post(anon, "/login/password", {"identifier": "wang", "password": "nope"})
    assert bad.status_code == 400 and bad.json()["code"] == "login_failed"


def test_password_reset_by_code_then_password_sign_in(anon, db):
    from tests.factories import UserFactory

    UserFactory(username="wang", phone=NEW)
    send(anon, purpose="reset")
    code = last_code(NEW)
    weak = post(anon, "/password/reset", {"phone": NEW, "code": code, "new_password": "123"})
    assert weak.status_code == 400 and weak.json()["code"] == "weak_password"
    ok = post(
        anon, "/password/reset", {"phone": NEW, "code": code, "new_password": "Xf-long-pass-91"}
    )
    assert ok.status_code == 200, ok.content
    signed = post(anon, "/login/password", {"identifier": NEW, "password": "Xf-long-pass-91"})
    assert signed.status_code == 200


def test_phone_change_needs_a_code_sent_to_the_new_number(api_as, db):
    from tests.factories import UserFactory

    user = UserFactory(username="wang", phone="13900000000")
    client = api_as(user)
    other = "13700001111"
    assert post(client, "/me/phone/code", {"phone": other}).status_code == 202
    wrong = post(client, "/me/phone", {"phone": other, "code": "000000"})
    if last_code(other) == "000000":  # one chance in a million
        return
    assert wrong.status_code == 400
    ok = post(client, "/me/phone", {"phone": other, "code": last_code(other)})
    assert ok.status_code == 200
    user.refresh_from_db()
    assert user.phone == other


def test_phone_change_code_is_for_signed_in_people_only(anon, db):
    assert post(anon, "/me/phone/code", {"phone": NEW}).status_code == 401
    assert send(anon, purpose="change_phone").status_code == 400


def test_phone_change_to_a_taken_number_cannot_succeed(api_as, db):
    from tests.factories import UserFactory

    UserFactory(username="taken", phone="13700001111")
    user = UserFactory(username="wang", phone="13900000000")
    client = api_as(user)
    assert post(client, "/me/phone/code", {"phone": "13700001111"}).status_code == 202
    assert not DevSms.objects.filter(phone="13700001111").exists()
    r = post(client, "/me/phone", {"phone": "13700001111", "code": "123456"})
    assert r.status_code == 400 and r.json()["code"] == "code_invalid"


def test_old_codes_and_development_sms_are_purged(anon, tree):
    from xinfeng.accounts.tasks import purge_phone_codes

    send(anon)
    send(Client(REMOTE_ADDR="10.0.0.9"), phone="13912345670")
    PhoneCode.objects.filter(pk=PhoneCode.objects.order_by("id").first().pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    DevSms.objects.update(created_at=timezone.now() - timedelta(days=2))
    purge_phone_codes.call()
    assert PhoneCode.objects.count() == 1 and not DevSms.objects.exists()


def test_a_proven_phone_change_is_the_volunteers_phone_too(api_as, tree):
    """The account's new number (proven by a code) replaces the volunteer profile's, so
    call-outs and reveals reach the person at the number they proved."""
    from tests.factories import UserFactory, VolunteerFactory

    user = UserFactory(username="li", phone="13900000009")
    volunteer = VolunteerFactory(user=user, phone="13900000009", home_region=tree.v1)
    client = api_as(user)
    new = "13700002222"
    assert post(client, "/me/phone/code", {"phone": new}).status_code == 202
    assert post(client, "/me/phone", {"phone": new, "code": last_code(new)}).status_code == 200
    volunteer.refresh_from_db()
    assert volunteer.phone == new
