"""Scope from three sides on pages and API (another township's plan 404, a station may not
edit the township's plan 403, anonymous → login / 401) and bad input → clear 4xx."""

import io
from datetime import date

from django.test import Client
from PIL import Image

from xinfeng.workplans.models import Task
from xinfeng.workplans.services import task_create


def _page(user):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_plan_pages_from_three_sides(wp):
    url = f"/workplans/{wp.plan.pk}/"
    anon = _page(None).get(url)
    assert anon.status_code == 302 and "/accounts/login/" in anon["Location"]
    assert _page(wp.outsider).get(url).status_code == 404
    station = _page(wp.station_op)
    r = station.get(url)
    assert r.status_code == 200 and "苏家垱乡2020年工作方案" in r.content.decode()
    post = station.post(
        f"{url}tasks/new/",
        {"title": "x", "owner_id": wp.station_op.pk, "deadline": "2020-05-01"},
    )
    assert post.status_code == 403
    assert not Task.objects.filter(title="x").exists()
    center = _page(wp.center_admin).post(
        f"{url}tasks/new/",
        {"title": "建好村史馆", "owner_id": wp.station_op.pk, "deadline": "2020-05-01"},
    )
    assert center.status_code == 302
    assert Task.objects.filter(title="建好村史馆", owner=wp.station_op).exists()


def test_plan_api_from_three_sides(wp, api_as):
    url = f"/api/v1/workplans/plans/{wp.plan.pk}"
    assert Client().get(url).status_code == 401
    assert api_as(wp.outsider).get(url).status_code == 404
    assert api_as(wp.station_op).get(url).json()["may_edit"] is False
    r = api_as(wp.station_op).post(
        f"{url}/tasks",
        {"title": "x", "owner_id": wp.station_op.pk, "deadline": "2020-05-01"},
        content_type="application/json",
    )
    assert r.status_code == 403, r.content
    assert r.json()["detail"]
    ok = api_as(wp.owner).post(
        f"{url}/tasks",
        {"title": "y", "owner_id": wp.station_op.pk, "deadline": "2020-05-01"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["owner_id"] == wp.station_op.pk


def test_bad_input_is_a_clear_4xx(wp, api_as):
    client = api_as(wp.owner)
    url = f"/api/v1/workplans/plans/{wp.plan.pk}/tasks"

    def post(**body):
        base = {"title": "t", "owner_id": wp.station_op.pk, "deadline": "2020-05-01"}
        return client.post(url, {**base, **body}, content_type="application/json")

    r = post(deadline="2019-12-31")
    assert r.status_code == 400 and r.json()["code"] == "deadline_before_plan_year"
    assert "方案年度" in r.json()["detail"]
    r = post(owner_id=wp.outsider.pk)
    assert r.status_code == 400 and r.json()["code"] == "owner_outside_area"
    r = post(owner_id=999_999_999)
    assert r.status_code == 400 and r.json()["code"] == "unknown_owner"
    assert post(deadline="9999-12-31").status_code == 422
    # The page shows the same refusal next to the field.
    page = _page(wp.owner).post(
        f"/workplans/{wp.plan.pk}/tasks/new/",
        {"title": "t", "owner_id": wp.station_op.pk, "deadline": "2019-03-01"},
    )
    assert page.status_code == 400 and "完成时限不能早于方案年度" in page.content.decode()


def test_evidence_files_are_checked_by_content(wp, api_as):
    task = task_create(
        actor=wp.owner, plan=wp.plan, title="证据", owner=wp.station_op, deadline=date(2020, 5, 1)
    )
    url = f"/api/v1/workplans/tasks/{task.pk}/evidence"
    client = api_as(wp.station_op)
    fake = io.BytesIO(b"MZ\x90\x00 not a picture")
    fake.name = "photo.png"
    r = client.post(url, {"file": fake, "note": "x"})
    assert r.status_code == 400 and r.json()["code"] == "evidence_type"
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    buf.seek(0)
    buf.name = "photo.bin"
    r = client.post(url, {"file": buf, "note": "现场照片"})
    assert r.status_code == 201 and r.json()["file_type"] == "png"
    r = client.post(url, {"link_kind": "order", "link_id": 999_999_999})
    assert r.status_code == 400 and r.json()["code"] == "bad_link"
    r = client.post(url, {"link_kind": "figure", "figure": "activities_total"})
    assert r.status_code == 201
    assert api_as(wp.outsider).post(url, {"link_kind": "figure", "figure": "x"}).status_code == 404


def test_progress_sees_plans_below_and_not_beside(wp, api_as):
    r = api_as(wp.center_admin).get("/api/v1/workplans/progress?year=2020")
    assert r.status_code == 200
    body = r.json()
    names = {c["region"]: c for c in body["children"]}
    assert names["苏家垱乡"]["plan_id"] == wp.plan.pk
    assert names["江益镇"]["plan_id"] is None
    assert (
        api_as(wp.outsider)
        .get(f"/api/v1/workplans/progress?year=2020&region_id={wp.tree.t1.pk}")
        .status_code
        == 404
    )
    assert Client().get("/api/v1/workplans/progress?year=2020").status_code == 401
    page = _page(wp.center_admin).get("/workplans/progress/?year=2020")
    assert page.status_code == 200 and "苏家垱乡" in page.content.decode()
