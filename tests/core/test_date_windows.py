"""Defect 1 of #10: every date or time a person or program enters is held to a plausible
window (one rule, ``core.validation``) on the API, the pages' forms, Open311 and the
services; and a row that carries an extreme date anyway (written by SQL, or before the
windows) does not make a single list unreadable."""

import json
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import UserFactory, VenueFactory
from tests.orders.factories import ProjectFactory, make_order
from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import ApiToken
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.validation import BIRTH, PLAN, RECORD, check_window, window_error
from xinfeng.orders.forms import OrderForm
from xinfeng.orders.models import Order
from xinfeng.orders.services import order_create

from ..factories import grant

pytestmark = pytest.mark.django_db

FAR = [
    "9999-12-31T23:00:00-12:00",  # year 10000 in UTC: what broke PostgreSQL
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "1999-12-31T12:00:00+08:00",
    "three years ahead",
]


def _moment(when: str) -> str:
    if when == "three years ahead":
        return (timezone.localtime() + timedelta(days=3 * 365)).isoformat()
    return when


def test_the_windows():
    today = timezone.localdate()
    now = timezone.localtime()
    assert window_error(now + timedelta(days=30), PLAN) is None
    assert window_error(datetime(2000, 1, 1, tzinfo=timezone.get_current_timezone()), PLAN) is None
    assert window_error(date(1999, 12, 31), PLAN)
    assert window_error(today + timedelta(days=800), PLAN)
    assert window_error(now + timedelta(days=3), RECORD)
    assert window_error(today - timedelta(days=30), RECORD) is None
    assert window_error(today + timedelta(days=1), BIRTH)
    assert window_error(date(1900, 1, 1), BIRTH)
    assert window_error(date(1960, 5, 1), BIRTH) is None
    # Naive means local time; an aware moment past year 9999 in UTC is caught, not raised.
    assert window_error(datetime(9999, 12, 31, 23), PLAN)
    assert window_error(datetime.fromisoformat("9999-12-31T23:00:00-12:00"), PLAN)
    with pytest.raises(ValidationFailed) as err:
        check_window(PLAN, wanted_from=datetime(9999, 1, 1), wanted_until=None)
    assert err.value.code == "out_of_window" and set(err.value.fields) == {"wanted_from"}


@pytest.fixture
def project(tree):
    return ProjectFactory(name="白衣天使乡村行", site=tree.st1, region=tree.v1)


@pytest.mark.parametrize("when", FAR)
def test_an_order_with_an_implausible_wanted_time_is_refused_by_api_form_and_service(
    api_as, resident, tree, project, when
):
    when = _moment(when)
    body = {"project_id": project.pk, "region_id": tree.v1.pk, "wanted_from": when}
    resp = api_as(resident).post("/api/v1/orders/", json.dumps(body), "application/json")
    assert resp.status_code == 422, resp.content
    assert "wanted_from" in resp.json()["detail"]
    body = {"project_id": project.pk, "region_id": tree.v1.pk, "wanted_until": when}
    resp = api_as(resident).post("/api/v1/orders/", json.dumps(body), "application/json")
    assert resp.status_code == 422, resp.content
    assert not Order.objects.exists()

    form = OrderForm(data={"wanted_from": when[:16]}) if when[0] != "-" else None
    if form is not None and not when.startswith("9999-12-31T23:00:00-"):
        assert not form.is_valid()
        assert "wanted_from" in form.errors

    moment = datetime.fromisoformat(when)
    with pytest.raises(ValidationFailed) as err:  # pages, imports and Open311 use it too
        order_create(actor=resident, region=tree.v1, project=project, wanted_until=moment)
    assert err.value.code == "out_of_window"


def test_a_plausible_order_is_still_taken(api_as, resident, tree, project):
    soon = (timezone.localtime() + timedelta(days=2)).replace(microsecond=0)
    body = {
        "project_id": project.pk,
        "region_id": tree.v1.pk,
        "wanted_from": soon.isoformat(),
        "wanted_until": (soon + timedelta(days=700)).isoformat(),
    }
    resp = api_as(resident).post("/api/v1/orders/", json.dumps(body), "application/json")
    assert resp.status_code == 201, resp.content


def test_open311_refuses_an_implausible_wanted_time(client, tree, project):
    hotline = UserFactory(username="hotline12345")
    _token, key = ApiToken.issue(user=hotline, name="12345")
    for when in ("9999-12-31T23:00:00-12:00", "1990-01-01T08:00:00+08:00", "2024-13-45T00:00"):
        resp = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "service_code": str(project.pk),
                "lat": "29.2512",
                "long": "115.8034",
                "description": "上门量血压",
                "attribute[wanted_from]": when,
            },
        )
        assert resp.status_code == 400, (when, resp.content)
        assert "wanted_from" in resp.json()[0]["description"]
    resp = client.get("/open311/v2/requests.json", {"start_date": "9999-12-31T23:00:00-12:00"})
    assert resp.status_code == 400
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "starts_at", ["0001-01-01T00:00:00+08:00", "9999-12-31T09:00:00+08:00", "1999-06-01T09:00"]
)
def test_room_bookings_and_activities_are_held_to_the_plan_window(api_as, owner, tree, starts_at):
    venue = VenueFactory(site=tree.st1, name="多功能厅", capacity=100)
    start = datetime.fromisoformat(starts_at)
    ends_at = start.replace(hour=11).isoformat()
    booking = {"title": "排练", "starts_at": starts_at, "ends_at": ends_at}
    resp = api_as(owner).post(
        f"/api/v1/activities/venues/{venue.pk}/bookings", json.dumps(booking), "application/json"
    )
    assert resp.status_code == 422, resp.content
    activity = {
        "site_id": tree.st1.pk,
        "title": "讲座",
        "category": "theory",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": 30,
    }
    resp = api_as(owner).post("/api/v1/activities/", json.dumps(activity), "application/json")
    assert resp.status_code == 422, resp.content
    assert "starts_at" in resp.json()["detail"]


def test_query_dates_and_site_dates_are_bounded(client, api_as, owner, tree):
    for path in (
        "/api/v1/activities/?day=9999-12-31",
        "/api/v1/activities/audience/by-month?since=0001-01-01",
    ):
        resp = client.get(path)
        assert resp.status_code == 422, (path, resp.content)
    resp = api_as(owner).patch(
        f"/api/v1/places/sites/{tree.st1.pk}",
        json.dumps({"active_from": "1970-01-01T00:00:00Z"}),
        "application/json",
    )
    assert resp.status_code == 422, resp.content


# A row that carries an extreme date anyway ----------------------------------------------


def _force(order: Order, **columns) -> None:
    """Write straight to the database, past every check (as SQL or an old import would)."""
    table = Order._meta.db_table
    sets = ", ".join(f"{name} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*columns.values(), order.pk])


EXTREMES = {
    # fits a Python datetime in UTC, overflows in local time (UTC+8) when shown
    "late": "9999-12-31 23:00:00",
    "early": "0001-01-01 00:00:00",
}
PG_EXTREMES = {
    # what '9999-12-31T23:00:00-12:00' became on PostgreSQL; and infinity
    "year10000": "10000-01-01 11:00:00+00",
    "infinity": "infinity",
    "bc": "0044-03-15 12:00:00+00 BC",
}


@pytest.fixture(params=sorted(EXTREMES) + sorted(PG_EXTREMES))
def extreme(request):
    if request.param in PG_EXTREMES:
        if connection.vendor != "postgresql":
            pytest.skip("timestamps beyond year 9999 exist only on PostgreSQL; CI runs it there")
        return PG_EXTREMES[request.param]
    value = EXTREMES[request.param]
    return value + ("+00" if connection.vendor == "postgresql" else "")


def test_one_row_with_an_extreme_date_does_not_break_any_list(
    client, api_as, tree, project, resident, owner, extreme
):
    operator = grant(UserFactory(username="operator"), Role.STATION_OPERATOR, tree.v1)
    tree.st1.operators.add(operator)
    good = make_order(project=project, region=tree.v1, site=tree.st1, requester=resident)
    bad = make_order(project=project, region=tree.v1, site=tree.st1, requester=resident)
    _force(bad, wanted_from=extreme, wanted_until=extreme, due_at=extreme)
    checks = [
        (api_as(resident), "/api/v1/orders/?mine=1"),
        (api_as(resident), "/api/v1/orders/"),
        (api_as(operator), "/api/v1/orders/"),
        (api_as(owner), "/api/v1/orders/"),
        (api_as(operator), f"/api/v1/orders/{bad.pk}"),
        (client, "/open311/v2/requests.json"),
        (client, "/open311/v2/requests.xml"),
        (client, f"/open311/v2/requests/{bad.pk}.json"),
    ]
    for caller, path in checks:
        resp = caller.get(path)
        assert resp.status_code == 200, (path, resp.status_code, resp.content[:300])
    for user, path in [
        (resident, "/orders/mine/"),
        (operator, "/orders/queue/"),
        (owner, "/orders/queue/"),
        (operator, f"/orders/{bad.pk}/"),
        (resident, f"/orders/{bad.pk}/"),
    ]:
        client.force_login(user)
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.status_code, resp.content[:300])
        assert good.title in resp.content.decode()
    bad.refresh_from_db()  # the model reads too: clamped inside Python's range
    assert date(1, 1, 2) < bad.wanted_from.date() < date(9999, 12, 31)
    assert timezone.localtime(bad.wanted_from).year in (1, 9999)


def test_orders_are_listed_in_time_order_around_the_clamp(tree, project, resident):
    """Clamping is on read only: what is stored and how it sorts do not change."""
    order = make_order(project=project, region=tree.v1, site=tree.st1, requester=resident)
    _force(
        order, wanted_from=EXTREMES["late"] + ("+00" if connection.vendor == "postgresql" else "")
    )
    later = Order.objects.filter(wanted_from__gt=timezone.now() + timedelta(days=365 * 5000))
    assert list(later) == [order]
    assert time(0) <= timezone.localtime(later[0].wanted_from).time()


@pytest.mark.parametrize(
    "form,field,value",
    [
        ("xinfeng.orders.forms:OrderForm", "wanted_from", "2999-01-01T09:00"),
        ("xinfeng.activities.forms:ActivityForm", "starts_at", "1999-01-01T09:00"),
        ("xinfeng.volunteers.forms:RegistrationForm", "birth_date", "1890-01-01"),
        ("xinfeng.volunteers.forms:BackfillForm", "started_at", "2999-01-01T09:00"),
        ("xinfeng.volunteers.forms:CertificateForm", "period_end", "2999-01-01"),
        ("xinfeng.emergency.forms:UnavailabilityForm", "starts_at", "1999-01-01T09:00"),
        ("xinfeng.emergency.forms:ServiceForm", "ends_at", "2999-01-01T09:00"),
    ],
)
def test_page_forms_put_the_window_next_to_the_field(form, field, value):
    """The pages' date fields carry the same window (an error beside the field; the
    service would refuse it anyway)."""
    from django.core.exceptions import ValidationError
    from django.utils.module_loading import import_string

    cls = import_string(form.replace(":", "."))
    with pytest.raises(ValidationError) as err:
        cls.base_fields[field].clean(value)
    assert [e.code for e in err.value.error_list] == ["out_of_window"]
