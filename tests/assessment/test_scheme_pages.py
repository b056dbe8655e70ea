"""Indicator schemes through the API and pages: three sides, build on the page, Excel
export and import, publishing freezes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.assessment.models import Scheme
from xinfeng.assessment.services import schemes

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessment"


@pytest.fixture
def city_staff(tree):
    return grant(UserFactory(), Role.CENTER_ADMIN, tree.city)


def test_scheme_api_three_sides(tree, city_staff, owner, outsider, api_as):
    r = api_as(city_staff).post(
        f"{BASE}/schemes",
        {"region_id": tree.city.pk, "year": 2026, "title": "考核"},
        content_type="application/json",
    )
    assert r.status_code == 201
    sid = r.json()["id"]
    # A township reads the city's scheme it is assessed by, but cannot change it.
    assert api_as(owner).get(f"{BASE}/schemes/{sid}").status_code == 200
    r = api_as(owner).post(
        f"{BASE}/schemes/{sid}/nodes",
        {"kind": "indicator", "code": "1", "title": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403
    t1_scheme = schemes.scheme_create(actor=owner, region=tree.t1, year=2026, title="乡镇自定")
    assert api_as(outsider).get(f"{BASE}/schemes/{t1_scheme.pk}").status_code == 404
    assert api_as(UserFactory()).get(f"{BASE}/schemes").json() == []
    assert Client().get(f"{BASE}/schemes").status_code == 401
    c = api_as(city_staff)
    assert (
        c.post(
            f"{BASE}/schemes/{sid}/nodes",
            {"kind": "indicator", "code": "1", "title": "阵地"},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert (
        c.post(
            f"{BASE}/schemes/{sid}/nodes",
            {"kind": "content", "code": "1.1", "title": "覆盖"},
            content_type="application/json",
        ).status_code
        == 201
    )
    bad = c.post(
        f"{BASE}/schemes/{sid}/nodes",
        {
            "kind": "standard",
            "code": "1.1.1",
            "title": "x",
            "points": 5,
            "level": "village",
            "method": "automatic",
            "rule": "ratio",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_standard"
    ok = c.post(
        f"{BASE}/schemes/{sid}/nodes",
        {
            "kind": "standard",
            "code": "1.1.1",
            "title": "覆盖率",
            "points": 8,
            "level": "township",
            "method": "automatic",
            "rule": "ratio",
            "metric": "coverage_15min",
            "target": 90,
        },
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["depth"] == 2
    assert c.post(f"{BASE}/schemes/{sid}/publish").json()["published"] is True
    assert (
        c.post(
            f"{BASE}/schemes/{sid}/nodes",
            {"kind": "indicator", "code": "2", "title": "x"},
            content_type="application/json",
        ).status_code
        == 409
    )
    v2 = c.post(f"{BASE}/schemes/{sid}/versions")
    assert (
        v2.status_code == 201 and v2.json()["version"] == 2 and v2.json()["total_points"] == "8.00"
    )
    x = c.get(f"{BASE}/schemes/{sid}/export.xlsx")
    empty = c.post(
        f"{BASE}/schemes",
        {"region_id": tree.city.pk, "year": 2027, "title": "导入"},
        content_type="application/json",
    ).json()
    imported = c.post(
        f"{BASE}/schemes/{empty['id']}/import", {"file": SimpleUploadedFile("s.xlsx", x.content)}
    )
    assert imported.status_code == 200 and [n["code"] for n in imported.json()["nodes"]] == [
        "1",
        "1.1",
        "1.1.1",
    ]
    junk = c.post(
        f"{BASE}/schemes/{empty['id']}/import", {"file": SimpleUploadedFile("s.xlsx", b"not excel")}
    )
    assert junk.status_code in (400, 409)


def test_staff_build_a_scheme_on_the_page(tree, city_staff, outsider, client):
    assert client.get("/assessment/").status_code == 302
    client.force_login(city_staff)
    assert client.get("/assessment/").status_code == 200
    r = client.post("/assessment/schemes/new", {"year": 2026, "title": "页面考核"})
    s = Scheme.objects.get(title="页面考核")
    assert r.status_code == 302 and s.region == tree.city
    url = f"/assessment/schemes/{s.pk}/"
    client.post(f"{url}nodes", {"kind": "indicator", "code": "1", "title": "活动"})
    client.post(f"{url}nodes", {"kind": "content", "code": "1.1", "title": "常态化"})
    bad = client.post(
        f"{url}nodes",
        {
            "kind": "standard",
            "code": "1.1.1",
            "title": "每月活动",
            "points": "10",
            "level": "village",
            "method": "document",
            "rule": "deduction",
        },
    )
    assert bad.status_code == 400 and "每项扣分" in bad.content.decode()
    client.post(
        f"{url}nodes",
        {
            "kind": "standard",
            "code": "1.1.1",
            "title": "每月活动",
            "points": "10",
            "level": "village",
            "method": "automatic",
            "rule": "ratio",
            "metric": "activities_per_station_month",
            "target": "4",
        },
    )
    page = client.get(url)
    assert page.status_code == 200 and "每月活动" in page.content.decode()
    assert client.post(f"{url}publish").status_code == 302
    s.refresh_from_db()
    assert s.published_at is not None
    assert client.get(f"{url}export.xlsx").status_code == 200
    assert client.post(f"{url}other").status_code == 404
    client.force_login(grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t2))
    t1 = schemes.scheme_create(
        actor=grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1),
        region=tree.t1,
        year=2026,
        title="x",
    )
    assert client.get(f"/assessment/schemes/{t1.pk}/").status_code == 404
