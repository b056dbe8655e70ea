"""Registration over the API: validation with clear 4xx, encryption, duplicates, consent."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import bearer_client
from tests.factories import UserFactory
from tests.volunteers.factories import make_id, years_ago
from xinfeng.accounts.choices import Role
from xinfeng.core.crypto import decrypt
from xinfeng.core.models import AuditEvent
from xinfeng.volunteers.models import Volunteer
from xinfeng.volunteers.services.profiles import PRIVACY_NOTICE_VERSION

URL = "/api/v1/volunteers/register"


def payload(region, **kw):
    data = {
        "name": "李志强",
        "id_number": make_id(),
        "phone": "13912345678",
        "home_region_id": region.pk,
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
    }
    data.update(kw)
    return data


def post(client, url, data):
    return client.post(url, json.dumps(data, default=str), content_type="application/json")


def signed_up(phone: str = "13912345678") -> Client:
    """A visitor who signed up by phone (accounts) and calls the API with their token."""
    return bearer_client(UserFactory(phone=phone))


def test_a_visitor_must_sign_up_first(tree):
    """One flow, one account: anonymous registration is refused before anything is made."""
    r = post(Client(), URL, payload(tree.v1))
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"
    assert not Volunteer.objects.exists()


def test_self_registration_after_sign_up_encrypts_the_id(tree):
    r = post(signed_up(), URL, payload(tree.v1))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"].startswith("ZY")
    assert "id_number" not in json.dumps(body)
    v = Volunteer.objects.get()
    assert v.id_number_encrypted and make_id() not in v.id_number_encrypted
    assert decrypt(v.id_number_encrypted) == make_id()
    assert v.birth_date == date(1990, 5, 17) and v.gender == "male"
    assert v.user.phone == "13912345678"
    assert v.user.role_assignments.filter(role=Role.VOLUNTEER, region=tree.v1).exists()
    assert body["phone_masked"] == "139****5678"


def test_signed_in_user_registers_themselves(tree, api_as):
    user = UserFactory()
    data = payload(tree.v1)
    r = post(api_as(user), URL, data)
    assert r.status_code == 201
    assert Volunteer.objects.get().user == user
    assert post(api_as(user), URL, payload(tree.v1, id_number=make_id(seq=5))).status_code == 409


def test_session_registration_needs_csrf(tree):
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    data = payload(tree.v1)
    assert post(client, URL, data).status_code == 403


@pytest.mark.parametrize(
    "override,code",
    [
        ({"id_number": "110105194912310021"}, "id_checksum"),
        ({"id_number": "12345"}, "id_format"),
        ({"phone": "12345678"}, "phone_format"),
        ({"privacy_notice_version": ""}, "privacy_consent_required"),
        ({"name": "李"}, "name_invalid"),
        ({"birth_date": "1991-01-01"}, "birth_date_mismatch"),
        ({"id_type": "passport", "id_number": "E12345678"}, "birth_date_required"),
    ],
)
def test_bad_registration_input_gets_400_with_message(tree, override, code):
    r = post(signed_up(), URL, payload(tree.v1, **override))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code
    assert r.json()["detail"]
    assert not Volunteer.objects.exists()


def test_future_birth_date_gets_400(tree):
    future = timezone.localdate() + timedelta(days=3)
    r = post(
        signed_up(),
        URL,
        payload(tree.v1, id_type="passport", id_number="E12345678", birth_date=str(future)),
    )
    # The birth-date window (core.validation.BIRTH) is part of the schema: a 422 naming it.
    assert r.status_code == 422
    assert "birth_date" in r.json()["detail"]


def test_duplicate_id_number_is_refused_with_409(tree):
    assert post(signed_up(), URL, payload(tree.v1)).status_code == 201
    r = post(signed_up("13912340000"), URL, payload(tree.v1, phone="13912340000"))
    assert r.status_code == 409
    assert r.json()["code"] == "duplicate_id"
    assert Volunteer.objects.count() == 1


def test_under_14_needs_guardian_consent(tree):
    birth = years_ago(12)
    data = payload(tree.v1, id_number=make_id(birth), phone="13900000012")
    client = signed_up("13900000012")
    r = post(client, URL, data)
    assert r.status_code == 400 and r.json()["code"] == "guardian_consent_required"
    data.update(guardian_name="李妈妈", guardian_phone="13900000013", guardian_consent=True)
    r = post(client, URL, data)
    assert r.status_code == 201
    v = Volunteer.objects.get()
    assert v.guardian_consented_at is not None and v.is_minor
    assert r.json()["may_take_risky_work"] is False


def test_staff_registration_claimed_later_by_self_registration(tree, owner, api_as):
    data = payload(tree.v1)
    r = post(api_as(owner), "/api/v1/volunteers/", data)
    assert r.status_code == 201
    assert r.json()["registration_channel"] == "staff"
    r = post(signed_up(), URL, payload(tree.v1))
    assert r.status_code == 201
    v = Volunteer.objects.get()
    assert v.user is not None and v.registration_channel == "staff"


def test_staff_cannot_register_outside_scope(tree, outsider, api_as):
    data = payload(tree.v1)
    assert post(api_as(outsider), "/api/v1/volunteers/", data).status_code == 403


def test_reveal_is_audited_and_scoped(tree, owner, outsider, resident, api_as):
    post(signed_up(), URL, payload(tree.v1))
    v = Volunteer.objects.get()
    url = f"/api/v1/volunteers/{v.pk}/reveal"
    r = post(api_as(owner), url, {"field": "id_number"})
    assert r.status_code == 200 and r.json()["value"] == make_id()
    r = post(api_as(owner), url, {"field": "phone"})
    assert r.json()["value"] == "13912345678"
    events = AuditEvent.objects.filter(action="personal_data_viewed", object_id=str(v.pk))
    assert sorted(e.detail["field"] for e in events) == ["id_number", "phone"]
    assert all(e.actor == owner for e in events)
    assert post(api_as(outsider), url, {"field": "phone"}).status_code == 404
    assert post(api_as(resident), url, {"field": "phone"}).status_code == 404
    assert AuditEvent.objects.filter(action="personal_data_viewed").count() == 2


def test_location_consent_can_be_withdrawn(tree):
    client = signed_up()
    post(client, URL, payload(tree.v1, location_consent=True))
    v = Volunteer.objects.get()
    assert v.location_consented_at is not None
    r = post(client, "/api/v1/volunteers/me/consents", {"location": False})
    assert r.status_code == 200 and r.json()["location_consented_at"] is None
