"""#10 in the volunteers API: personal records answer 401 to anonymous callers (as
docs/api.md says), dates are held to their windows (birth dates, service hours,
certificate periods), and a PATCH refuses null."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import bearer_client
from tests.factories import UserFactory
from xinfeng.core.errors import ValidationFailed
from xinfeng.volunteers.identity import check_birth_date

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/volunteers/1",
        "/api/v1/volunteers/1/points",
        "/api/v1/volunteers/records/1",
        "/api/v1/volunteers/certificates/1",
        "/api/v1/volunteers/certificates/1/pdf",
    ],
)
def test_personal_records_ask_anonymous_callers_to_sign_in(path):
    resp = Client().get(path)
    assert resp.status_code == 401, resp.content
    assert resp.json()["code"] == "not_authenticated"


def test_a_signed_in_stranger_still_gets_404(api_as, resident):
    assert api_as(resident).get("/api/v1/volunteers/999999").status_code == 404


@pytest.mark.parametrize("birth", ["1890-01-01", "2999-01-01", "0001-01-01"])
def test_self_registration_refuses_an_implausible_birth_date(tree, birth):
    body = {
        "name": "张三",
        "id_type": "passport",
        "id_number": "E12345678",
        "phone": "13800000077",
        "home_region_id": tree.v1.pk,
        "birth_date": birth,
    }
    client = bearer_client(UserFactory(phone="13800000077"))  # signed up by phone first
    resp = client.post("/api/v1/volunteers/register", json.dumps(body), "application/json")
    assert resp.status_code == 422, resp.content
    assert "birth_date" in resp.json()["detail"]


def test_the_birth_rule_is_the_one_for_pages_and_imports_too():
    today = timezone.localdate()
    for bad in (today + timedelta(days=1), today.replace(year=today.year - 130)):
        with pytest.raises(ValidationFailed):
            check_birth_date(bad)
    check_birth_date(today.replace(year=today.year - 30))


@pytest.mark.parametrize("started_at", ["1999-12-31T09:00:00+08:00", "2999-01-01T09:00:00+08:00"])
def test_backfilled_hours_are_held_to_the_record_window(api_as, owner, tree, started_at):
    body = {
        "volunteer_id": 1,
        "region_id": tree.v1.pk,
        "started_at": started_at,
        "ended_at": started_at.replace("09:00", "11:00"),
        "description": "补录",
    }
    resp = api_as(owner).post("/api/v1/volunteers/records", json.dumps(body), "application/json")
    assert resp.status_code == 422, resp.content
    assert "started_at" in resp.json()["detail"]


@pytest.mark.parametrize(
    "path,field",
    [
        ("/api/v1/volunteers/me", "name"),
        ("/api/v1/volunteers/teams/1", "name"),
        ("/api/v1/volunteers/rewards/1", "description"),
    ],
)
def test_null_in_a_volunteers_patch_is_422(api_as, owner, path, field):
    resp = api_as(owner).patch(path, json.dumps({field: None}), "application/json")
    assert resp.status_code == 422, resp.content
    assert field in resp.json()["detail"]


@pytest.mark.parametrize("birth", ["1890-01-01", "2999-01-01", "00010101"])
def test_an_import_row_with_an_implausible_birth_date_is_refused(tree, birth):
    from xinfeng.volunteers.services.imports import _row_to_volunteer

    row = {
        "name": "张三",
        "id_type": "passport",
        "id_number": "E12345678",
        "phone": "13900000011",
        "birth_date": birth,
        "privacy_consent": "是",
    }
    with pytest.raises(ValidationFailed):
        _row_to_volunteer(row, tree.t1, {})
