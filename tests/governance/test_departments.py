"""Guiding departments: a read-only role scoped to their city. Every write — each write
operation of the OpenAPI document and a POST to every page — answers 403; the department
view shows its own figures for its own region, and no person."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import RegionFactory, UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import ApiToken
from xinfeng.regions.choices import RegionLevel

from .factories import department_user, term

pytestmark = pytest.mark.django_db

# Writes a department may still make: its own session and language, its own password.
ALLOWED = re.compile(r"^/(accounts/logout|i18n/setlang|accounts/password)/$")


def _operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    return [
        (m.upper(), p)
        for p, item in doc["paths"].items()
        for m in item
        if m in ("post", "put", "patch", "delete")
    ]


def _pages():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return sorted(
        {
            r
            for r in walk(get_resolver().url_patterns)
            if not r.startswith(("api/", "static/", "media/"))
        }
    )


def test_a_department_gets_403_on_every_api_write(tree):
    dept = department_user(tree.city, "finance")
    _t, raw = ApiToken.issue(user=dept, name="t")
    by_token = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    by_session = Client()
    by_session.force_login(dept)
    ops = _operations(Client())
    assert len(ops) > 80
    assert ("POST", "/api/v1/governance/sites/{site_id}/handovers") in ops
    for method, path in ops:
        url = re.sub(r"\{[^}]+\}", str(tree.st1.pk), path)
        for c in (by_token, by_session):
            r = c.generic(method, url, "{}", content_type="application/json")
            assert r.status_code == 403, (method, path, r.status_code)
            assert r.json()["code"] == "department_read_only"


def test_a_department_gets_403_on_every_page_post(tree):
    dept = department_user(tree.city, "civil_affairs")
    c = Client()
    c.force_login(dept)
    pages = _pages()
    assert any(p.startswith("governance/") for p in pages)
    for route in pages:
        url = "/" + re.sub(r"<(?:\w+:)?\w+>", str(tree.st1.pk), route)
        if ALLOWED.match(url) or "admin/" in url:
            continue
        r = c.post(url, {"name": "x"})
        assert r.status_code == 403, (url, r.status_code)
        assert "指导部门账号只能查看" in r.content.decode()


def test_the_same_writes_pass_the_door_for_staff(api_as, tree):
    """The 403 above is the department's, not everyone's: staff reach the service."""
    staff = grant(UserFactory(), Role.INSTITUTE_ADMIN, tree.t1)
    r = api_as(staff).post(
        f"/api/v1/governance/sites/{tree.st1.pk}/handovers", "{}", content_type="application/json"
    )
    assert r.status_code == 422


def test_a_department_sees_its_own_figures_for_its_city_and_no_person(client, tree):
    secretary = UserFactory(display_name="赵书记")
    term(tree.st1, secretary)
    dept = department_user(tree.city, "organization")
    client.force_login(dept)
    html = client.get("/governance/departments/").content.decode()
    assert 'data-department="organization"' in html
    assert 'data-department="finance"' not in html
    assert re.search(r'data-kpi="with_responsible"><span class="kpi-value">1<', html)
    assert "赵书记" not in html
    api = client.get("/api/v1/governance/departments").json()
    assert [s["code"] for s in api["sections"]] == ["organization"]
    # Another department's section, another region: 404.
    assert client.get("/governance/departments/?department=finance").status_code == 404
    other_city = RegionFactory(name="德安县", code="360426000000", level=RegionLevel.COUNTY)
    assert (
        client.get(f"/api/v1/governance/departments?region_id={other_city.pk}").status_code == 404
    )
    # Nor do they read the staff lists of people.
    assert client.get("/api/v1/governance/sites").json()["items"] == []
    assert client.get(f"/governance/sites/{tree.st1.pk}/").status_code == 404


def test_each_department_sees_the_part_of_the_work_it_guides(client, tree):
    expected = {
        "finance": {"received", "spent", "executed"},
        "civil_affairs": {"volunteers", "active", "teams", "service_records", "service_hours"},
        "culture_tourism": {"activities", "audience_offline", "audience_online", "sites", "venues"},
        "publicity": {"activities", "audience", "news", "surveys", "surveys_open"},
        "human_resources": {
            "staff",
            "full_time",
            "propagandists",
            "sites_with_staff",
            "sites_without_staff",
        },
    }
    for code, keys in expected.items():
        c = Client()
        c.force_login(department_user(tree.city, code))
        sections = c.get("/api/v1/governance/departments").json()["sections"]
        assert [s["code"] for s in sections] == [code]
        assert {f["key"] for f in sections[0]["figures"]} == keys


def test_staff_see_all_six_and_others_nothing(client, tree):
    center = grant(UserFactory(), Role.CENTER_ADMIN, tree.city)
    client.force_login(center)
    codes = [s["code"] for s in client.get("/api/v1/governance/departments").json()["sections"]]
    assert codes == [
        "organization",
        "publicity",
        "finance",
        "civil_affairs",
        "culture_tourism",
        "human_resources",
    ]
    resident = grant(UserFactory(), Role.RESIDENT, tree.v1)
    c = Client()
    c.force_login(resident)
    assert c.get("/governance/departments/").status_code == 404
    assert Client().get("/api/v1/governance/departments").status_code == 401
