"""Service projects: declared by a site, approved by the level above, then on the menu."""

import pytest

from xinfeng.accounts.choices import Role
from xinfeng.projects.choices import ProjectStatus
from xinfeng.projects.models import Project

from ..factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def station_op(tree):
    return grant(UserFactory(username="station_op"), Role.STATION_OPERATOR, tree.v1)


def _declare(client, tree, **extra):
    body = {
        "name": "颐养之家",
        "category": "elderly",
        "site_id": tree.st1.pk,
        "review_within": "PT6H",
        **extra,
    }
    return client.post("/api/v1/projects/", body, content_type="application/json")


def test_station_declares_institute_approves_station_activates(tree, station_op, owner, api_as):
    resp = _declare(api_as(station_op), tree)
    assert resp.status_code == 201, resp.content
    pid = resp.json()["id"]
    assert resp.json()["status"] == "declared" and resp.json()["review_within"] == "P0DT06H00M00S"
    assert Project.objects.get(pk=pid).review_within.total_seconds() == 6 * 3600
    # The station cannot approve its own project; the institute above can.
    assert api_as(station_op).post(f"/api/v1/projects/{pid}/approve").status_code == 403
    assert api_as(owner).post(f"/api/v1/projects/{pid}/approve").json()["status"] == "approved"
    assert api_as(owner).post(f"/api/v1/projects/{pid}/approve").status_code == 409
    assert api_as(station_op).post(f"/api/v1/projects/{pid}/activate").json()["status"] == "active"
    # Now it is on the public menu.
    from django.test import Client

    items = Client().get("/api/v1/projects/").json()["items"]
    assert [p["id"] for p in items] == [pid]


def test_declared_projects_are_not_public(tree, station_op, outsider, api_as, client):
    pid = _declare(api_as(station_op), tree).json()["id"]
    assert client.get(f"/api/v1/projects/{pid}").status_code == 404
    assert api_as(outsider).get(f"/api/v1/projects/{pid}").status_code == 404
    assert api_as(station_op).get(f"/api/v1/projects/{pid}").status_code == 200


def test_only_staff_of_the_site_may_declare(tree, resident, outsider, api_as):
    assert _declare(api_as(resident), tree).status_code == 403
    assert _declare(api_as(outsider), tree).status_code == 403


def test_bad_project_input_is_a_clear_4xx(tree, station_op, api_as):
    resp = _declare(api_as(station_op), tree, category="cooking")
    assert resp.status_code == 422 and resp.json()["detail"]
    resp = _declare(api_as(station_op), tree, review_within="PT1M")
    assert resp.status_code == 400 and "审单时限" in resp.json()["detail"]


def test_provincial_demo_flag_by_the_level_above(tree, station_op, owner, api_as):
    pid = _declare(api_as(station_op), tree).json()["id"]
    assert (
        api_as(owner)
        .post(
            f"/api/v1/projects/{pid}/demo",
            {"is_provincial_demo": True},
            content_type="application/json",
        )
        .status_code
        == 409
    )
    api_as(owner).post(f"/api/v1/projects/{pid}/approve")
    assert (
        api_as(station_op)
        .post(
            f"/api/v1/projects/{pid}/demo",
            {"is_provincial_demo": True},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    resp = api_as(owner).post(
        f"/api/v1/projects/{pid}/demo",
        {"is_provincial_demo": True},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["is_provincial_demo"] is True


def test_emergency_projects_are_always_risky(tree, station_op, api_as):
    pid = _declare(api_as(station_op), tree, category="emergency").json()["id"]
    assert Project.objects.get(pk=pid).is_risky is True


def test_menu_and_detail_pages_in_chinese(tree, station_op, owner, client):
    p = Project.objects.create(
        name="心连心课堂",
        category="children",
        site=tree.st1,
        status=ProjectStatus.ACTIVE,
        summary="留守儿童课业辅导",
    )
    html = client.get("/projects/").content.decode()
    assert "服务项目" in html and "心连心课堂" in html
    html = client.get(f"/projects/{p.pk}/").content.decode()
    assert "我要点单" in html and "审单 1 天" in html
    hidden = Project.objects.create(name="未审核", category="law", site=tree.st1)
    assert client.get(f"/projects/{hidden.pk}/").status_code == 404


def test_declare_and_approve_pages(tree, station_op, owner, client):
    client.force_login(station_op)
    resp = client.post(
        "/projects/new/",
        {
            "name": "普法宣传",
            "category": "law",
            "site": tree.st1.pk,
            "age_group": "all",
            "review_within": "12",
        },
        follow=True,
    )
    assert resp.status_code == 200 and "项目已申报" in resp.content.decode()
    p = Project.objects.get(name="普法宣传")
    assert p.status == ProjectStatus.DECLARED and p.review_within.total_seconds() == 12 * 3600
    client.force_login(owner)
    assert "普法宣传" in client.get("/projects/approvals/").content.decode()
    client.post(f"/projects/{p.pk}/approve/")
    p.refresh_from_db()
    assert p.status == ProjectStatus.APPROVED
