"""The funding API and pages from three sides (in scope, out of scope → 404, anonymous →
401 or sign-in), approval by the level above, the append-only rule at the doors (no PUT,
PATCH or DELETE; the admin cannot change or delete), and the exports."""

import io
import json
import zipfile

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.models import Allocation, Expenditure

from .factories import posted_allocation, posted_budget, posted_expenditure

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessment"


@pytest.fixture
def books(tree):
    posted_budget(tree, amount_fen=2_000_000_00)
    posted_allocation(tree, tree.t1, amount_fen=500_000_00)
    spend = posted_expenditure(tree, tree.t1, amount_fen=12_345)
    return spend


def test_lines_three_sides(tree, books, owner, outsider, api_as):
    url = f"{BASE}/funding/expenditures/{books.pk}"
    assert api_as(owner).get(url).status_code == 200
    assert api_as(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 401
    assert Client().get(f"{BASE}/funding/expenditures").status_code == 401
    mine = api_as(owner).get(f"{BASE}/funding/expenditures").json()["items"]
    assert [x["id"] for x in mine] == [books.pk] and mine[0]["amount_yuan"] == "123.45"
    assert api_as(outsider).get(f"{BASE}/funding/expenditures").json()["items"] == []
    assert (
        api_as(outsider).get(f"{BASE}/funding-summary?region_id={tree.t1.pk}&year=2026").status_code
        == 404
    )


def test_record_and_approve_through_the_api(tree, books, owner, api_as):
    r = api_as(owner).post(
        f"{BASE}/funding/expenditures",
        {
            "region_id": tree.t1.pk,
            "source": "city_operating",
            "spent_on": "2026-03-02",
            "payee": "印刷厂",
            "purpose": "宣传册",
            "amount_fen": 5000,
        },
    )
    assert r.status_code == 201, r.content
    line = r.json()
    assert line["status"] == "pending" and line["may_approve"] is False
    refused = api_as(owner).post(f"{BASE}/funding/expenditures/{line['id']}/approve")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    city = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    ok = api_as(city).post(f"{BASE}/funding/expenditures/{line['id']}/approve")
    assert ok.status_code == 200 and ok.json()["status"] == "posted"
    again = api_as(city).post(f"{BASE}/funding/expenditures/{line['id']}/approve")
    assert again.status_code == 409


def test_bad_input_is_a_clear_4xx(tree, books, owner, api_as):
    c = api_as(owner)
    r = c.post(
        f"{BASE}/funding/allocations",
        {
            "year": 2026,
            "source": "city_operating",
            "region_id": tree.v1.pk,
            "from_region_id": tree.t1.pk,
            "amount_fen": 1.5,
        },
        content_type="application/json",
    )
    assert r.status_code == 422
    r = c.post(
        f"{BASE}/funding/allocations",
        {
            "year": 2026,
            "source": "city_operating",
            "region_id": tree.v1.pk,
            "from_region_id": tree.t1.pk,
            "amount_fen": 10**13,
        },
        content_type="application/json",
    )
    assert r.status_code == 422
    r = c.post(
        f"{BASE}/funding/allocations",
        {
            "year": 2026,
            "source": "city_operating",
            "region_id": tree.v1.pk,
            "from_region_id": tree.t1.pk,
            "amount_fen": 10**11,
        },
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "insufficient_funds"
    r = c.post(
        f"{BASE}/funding/allocations",
        {
            "year": 2026,
            "source": "city_operating",
            "region_id": tree.v1.pk,
            "from_region_id": tree.t1.pk,
            "amount_fen": 100_00,
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["from_region_id"] == tree.t1.pk
    r = c.post(
        f"{BASE}/funding/expenditures",
        {
            "region_id": tree.t1.pk,
            "source": "city_operating",
            "spent_on": "2026-03-02",
            "payee": "x",
            "purpose": "y",
            "amount_fen": 1,
            "receipt": io.BytesIO(b"MZ not a receipt"),
        },
    )
    assert r.status_code == 400 and r.json()["code"] == "receipt_type"
    assert c.get(f"{BASE}/funding/others").status_code == 404


def test_posted_lines_cannot_be_changed_through_api_or_admin(tree, books, api_as, sysadmin):
    c = api_as(sysadmin)
    for method in ("put", "patch", "delete"):
        r = getattr(c, method)(
            f"{BASE}/funding/expenditures/{books.pk}", {}, content_type="application/json"
        )
        assert r.status_code == 405
    admin = Client()
    sysadmin.is_staff = True
    sysadmin.is_superuser = True
    sysadmin.save()
    admin.force_login(sysadmin)
    assert admin.get(f"/admin/assessment/expenditure/{books.pk}/change/").status_code == 200
    assert (
        admin.post(f"/admin/assessment/expenditure/{books.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    admin.post(f"/admin/assessment/expenditure/{books.pk}/change/", {"amount_fen": 1})
    assert Expenditure.objects.get(pk=books.pk).amount_fen == 12_345
    assert admin.get("/admin/assessment/allocation/add/").status_code == 403


def test_reverse_through_the_api(tree, books, owner, api_as):
    r = api_as(owner).post(
        f"{BASE}/funding/expenditures/{books.pk}/reverse",
        {"reason": "重复"},
        content_type="application/json",
    )
    assert (
        r.status_code == 201
        and r.json()["amount_fen"] == -12_345
        and r.json()["reverses_id"] == books.pk
    )
    r = api_as(owner).post(
        f"{BASE}/funding/expenditures/{books.pk}/reverse",
        {"reason": "重复"},
        content_type="application/json",
    )
    assert r.status_code == 409


def test_summary_costs_and_exports(tree, books, owner, api_as):
    rows = api_as(owner).get(f"{BASE}/funding-summary?region_id={tree.t1.pk}&year=2026").json()
    assert rows == [
        {
            "region_id": tree.t1.pk,
            "region": tree.t1.display_name,
            "source": "city_operating",
            "source_label": "市级运行经费",
            "received_fen": 500_000_00,
            "passed_down_fen": 0,
            "spent_fen": 12_345,
            "spent_subtree_fen": 12_345,
            "holds_fen": 500_000_00 - 12_345,
            "executed_pct": 0.0,
        }
    ]
    costs = api_as(owner).get(f"{BASE}/funding-costs?region_id={tree.t1.pk}&year=2026").json()
    assert (
        costs["spent_fen"] == 12_345
        and costs["orders_served"] == 0
        and costs["cost_per_order_fen"] is None
    )
    x = api_as(owner).get(f"{BASE}/funding-export.xlsx?region_id={tree.t1.pk}&year=2026")
    assert x.status_code == 200
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["预算执行", "预算下达", "经费支出"]
    assert list(wb["经费支出"].iter_rows(values_only=True))[1][7] == "123.45"
    z = api_as(owner).get(f"{BASE}/funding-datapackage.zip?region_id={tree.t1.pk}&year=2026")
    with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
        desc = json.loads(zf.read("datapackage.json"))
        assert desc["profile"] == "fiscal-data-package"
        assert [r["path"] for r in desc["resources"]] == ["allocations.csv", "expenditures.csv"]
        csv_text = zf.read("expenditures.csv").decode("utf-8-sig").splitlines()
        assert csv_text[1].split(",")[7] == "123.45"
    assert (
        Client().get(f"{BASE}/funding-datapackage.zip?region_id={tree.t1.pk}&year=2026").status_code
        == 401
    )


def test_funding_page_three_sides_and_forms(tree, books, owner, outsider, client):
    url = f"/assessment/funding/?region={tree.t1.pk}&year=2026"
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    page = client.get(url)
    assert page.status_code == 200 and "123.45" in page.content.decode()
    r = client.post(
        "/assessment/funding/expenditures/new",
        {
            "region_ctx": tree.t1.pk,
            "year_ctx": 2026,
            "source": "city_operating",
            "spent_on": "2026-04-01",
            "payee": "书店",
            "purpose": "图书",
            "amount_fen": "88.8",
        },
    )
    assert r.status_code == 302
    assert Expenditure.objects.filter(payee="书店", amount_fen=8880, status="pending").exists()
    r = client.post(
        "/assessment/funding/expenditures/new",
        {
            "region_ctx": tree.t1.pk,
            "year_ctx": 2026,
            "source": "city_operating",
            "spent_on": "2026-04-01",
            "payee": "书店",
            "purpose": "图书",
            "amount_fen": "1.234",
        },
    )
    assert r.status_code == 400 and "两位小数" in r.content.decode()
    r = client.post(
        "/assessment/funding/allocations/new",
        {
            "region_ctx": tree.t1.pk,
            "year_ctx": 2026,
            "year": 2026,
            "source": "city_operating",
            "region": tree.v1.pk,
            "amount_fen": "1000",
        },
    )
    assert r.status_code == 302
    assert Allocation.objects.filter(
        from_region=tree.t1, region=tree.v1, amount_fen=100_000
    ).exists()
    # The township may not approve its own line: the page refuses.
    line = Expenditure.objects.get(payee="书店")
    r = client.post(
        f"/assessment/funding/expenditures/{line.pk}/approve", {"region_ctx": tree.t1.pk}
    )
    assert r.status_code == 403
    client.force_login(outsider)
    r = client.post(
        f"/assessment/funding/expenditures/{line.pk}/approve", {"region_ctx": tree.t2.pk}
    )
    assert r.status_code == 404
