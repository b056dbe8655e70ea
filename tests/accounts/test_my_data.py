"""我的数据 (PIPL arts. 44–47): the export holds every kind of record of a resident who
has them; the profile can be corrected; optional consents withdrawn; closing the account
leaves no phone or name in any table except the kept volunteer service records."""

import json
from datetime import timedelta
from io import BytesIO

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UserFactory
from tests.orders.factories import make_order
from tests.volunteers.factories import credit
from xinfeng.accounts.models import Consent, User
from xinfeng.activities import services as activity_services
from xinfeng.activities.models import Attendance, Signup
from xinfeng.core.models import AuditEvent
from xinfeng.notifications.models import Notification
from xinfeng.orders.models import OrderRating
from xinfeng.volunteers.models import Volunteer

PHONE = "13966667777"
NAME = "赵秀英"
# Tables and columns where the name may stay after closing: the volunteer service record
# the law says must be kept (志愿服务记录与证明出具办法), never with contact data.
KEPT = {("volunteers_volunteer", "name"), ("volunteers_certificate", "volunteer_name")}


@pytest.fixture
def resident(tree, owner):
    """A resident who is also a volunteer, with one record of every kind."""
    user = UserFactory(username="zhao", phone=PHONE, display_name=NAME, home_region=tree.v1)
    Consent.objects.create(user=user, kind="privacy", version="2026-12", given_at=timezone.now())
    Consent.objects.create(user=user, kind="location", given_at=timezone.now())
    order = make_order(
        requester=user,
        created_by=user,
        region=tree.v1,
        site=tree.st1,
        contact_name=NAME,
        contact_phone=PHONE,
        address="水口村 3 组 12 号",
        state="completed",
    )
    OrderRating.objects.create(
        order=order, level=5, comment=f"{NAME}很满意", rater=user, created_at=timezone.now()
    )
    start = timezone.now() + timedelta(days=2)
    activity = activity_services.activity_create(
        actor=owner,
        site=tree.st1,
        title="防诈骗讲座",
        category="theory",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=30,
    )
    Signup.objects.create(activity=activity, user=user, state="confirmed")
    Attendance.objects.create(
        activity=activity,
        user=user,
        checked_in_at=timezone.now(),
        check_in_method="code",
        latitude=29.2,
        longitude=115.8,
    )
    volunteer = Volunteer.objects.create(
        user=user,
        number="ZY2026000001",
        name=NAME,
        phone=PHONE,
        home_region=tree.v1,
        emergency_contact_name="赵大",
        emergency_contact_phone="13911110000",
        location_consented_at=timezone.now(),
    )
    credit(volunteer, tree.v1, hours=2)
    Notification.objects.create(recipient=user, title=f"{NAME}，您的点单已完成")
    return user


def test_export_json_holds_every_kind_of_record(client, resident):
    client.force_login(resident)
    response = client.get("/accounts/me/data/export.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["phone"] == PHONE and data["profile"]["display_name"] == NAME
    for key in (
        "orders",
        "ratings",
        "signups",
        "checkins",
        "hours",
        "points",
        "consents",
        "volunteer",
    ):
        assert len(data[key]) >= 1, key
    assert data["orders"][0]["contact_phone"] == PHONE
    assert float(data["hours"][0]["hours"]) == 2.0
    assert data["points"][0]["delta"] > 0
    assert {c["kind"] for c in data["consents"]} == {"privacy", "location"}
    assert (
        AuditEvent.objects.filter(action="personal_data_export", detail__format="json").count() == 1
    )


def test_export_excel_has_a_sheet_per_kind(client, resident):
    client.force_login(resident)
    response = client.get("/accounts/me/data/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert len(book.sheetnames) == 9
    rows = {name: book[name].max_row for name in book.sheetnames}
    assert all(n >= 2 for n in rows.values()), rows  # a header and at least one row each
    assert AuditEvent.objects.filter(action="personal_data_export", detail__format="xlsx").exists()


def test_api_export_needs_sign_in_and_matches(client, api_as, resident):
    assert client.get("/api/v1/accounts/me/data").status_code == 401
    data = api_as(resident).get("/api/v1/accounts/me/data").json()
    assert data["profile"]["phone"] == PHONE and len(data["hours"]) == 1


def test_profile_is_corrected_and_audited(client, resident, tree):
    client.force_login(resident)
    response = client.post(
        "/accounts/me/data/",
        {"display_name": "赵秀英（改）", "home_region": tree.v2.pk, "email": ""},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.display_name == "赵秀英（改）" and resident.home_region == tree.v2
    assert AuditEvent.objects.filter(action="profile_updated").exists()


def test_withdrawing_location_clears_the_volunteer_consent_too(client, resident):
    client.force_login(resident)
    assert client.post("/accounts/me/data/consents/location/", {"given": "0"}).status_code == 302
    assert Volunteer.objects.get(user=resident).location_consented_at is None
    assert Consent.objects.get(user=resident, kind="location").withdrawn_at is not None
    # The privacy notice is not optional: only closing the account withdraws it.
    assert client.post("/accounts/me/data/consents/privacy/", {"given": "0"}).status_code == 404


def test_closing_needs_the_confirmation(client, resident):
    client.force_login(resident)
    assert client.post("/accounts/me/data/close/", {}).status_code == 400
    assert User.objects.get(pk=resident.pk).closed_at is None


def _text_columns():
    """(table, column) of every text-like column of every installed model."""
    kinds = (
        "CharField",
        "TextField",
        "JSONField",
        "EmailField",
        "SlugField",
        "GenericIPAddressField",
    )
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.get_internal_type() in kinds:
                yield model._meta.db_table, field.column


def _tables_holding(value: str) -> set[tuple[str, str]]:
    found = set()
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            qn = connection.ops.quote_name
            cursor.execute(
                f"SELECT COUNT(*) FROM {qn(table)} WHERE CAST({qn(column)} AS TEXT) LIKE %s",
                [f"%{value}%"],
            )
            if cursor.fetchone()[0]:
                found.add((table, column))
    return found


def test_closing_leaves_no_phone_or_name_except_the_kept_service_records(client, resident):
    # A failed login with the number leaves it in the throttling table and the audit log.
    client.post("/accounts/login/", {"identifier": PHONE, "password": "wrong"})
    assert _tables_holding(PHONE)  # the scan finds what is there
    client.force_login(resident)
    response = client.post("/accounts/me/data/close/", {"confirm": "on"})
    assert response.status_code == 302

    assert _tables_holding(PHONE) == set()
    assert _tables_holding(NAME) <= KEPT
    user = User.objects.get(pk=resident.pk)
    assert user.closed_at and not user.is_active and not user.has_usable_password()
    # The service record is kept, without contact data, and still adds up.
    volunteer = Volunteer.objects.get(number="ZY2026000001")
    assert volunteer.name == NAME and volunteer.phone == "" and volunteer.user is None
    assert volunteer.service_records.count() == 1
    assert AuditEvent.objects.filter(action="account_closed", object_id=str(user.pk)).exists()
    # Signed out, and cannot sign in again.
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_staff_living_at_county_level_corrects_the_name_keeping_the_home(client, tree):
    staff = UserFactory(username="center", display_name="周敏", home_region=tree.city)
    client.force_login(staff)
    assert client.get("/accounts/me/data/").status_code == 200
    response = client.post("/accounts/me/data/", {"display_name": "周敏敏", "home_region": ""})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.display_name == "周敏敏" and staff.home_region == tree.city
