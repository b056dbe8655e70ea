"""Demonstration sites: designated by the level above the township, one per site and year,
never outside the township; the yearly review; the 2-per-township rule."""

import pytest
from django.test import Client

from tests.factories import SiteFactory
from xinfeng.core.errors import Conflict, PermissionDenied, ValidationFailed
from xinfeng.places.choices import SiteLevel
from xinfeng.workplans import selectors
from xinfeng.workplans.services import designation_create, review_record


def test_designation_rules(wp):
    t = wp.tree
    d = designation_create(actor=wp.center_admin, site=t.st1, year=2020, criteria="达标")
    assert d.township == t.t1 and d.designated_by == t.center.name
    with pytest.raises(Conflict):
        designation_create(actor=wp.center_admin, site=t.st1, year=2020, criteria="again")
    with pytest.raises(ValidationFailed) as exc:
        designation_create(
            actor=wp.center_admin, site=t.st2, year=2020, criteria="x", township=t.t1
        )
    assert exc.value.code == "site_outside_township"
    with pytest.raises(PermissionDenied):
        designation_create(actor=wp.owner, site=t.st1, year=2021, criteria="x")
    rows = {r.township.name: r for r in selectors.township_rule(year=2020)}
    assert rows["苏家垱乡"].count == 1 and rows["苏家垱乡"].missing == 1
    assert rows["江益镇"].missing == 2
    review_record(
        actor=wp.center_admin, designation=d, year=2021, outcome="withdrawn", reasons="未达标"
    )
    rows = {r.township.name: r for r in selectors.township_rule(year=2021)}
    assert rows["苏家垱乡"].count == 0
    assert {r.township.name: r for r in selectors.township_rule(year=2020)}["苏家垱乡"].count == 1
    with pytest.raises(Conflict):
        review_record(actor=wp.center_admin, designation=d, year=2022, outcome="kept", reasons="x")


def test_designation_api_bad_input_and_scope(wp, api_as):
    t = wp.tree
    point = SiteFactory(name="水口村祠堂", level=SiteLevel.POINT, region=t.v1, parent=t.st1)
    url = "/api/v1/workplans/demo-sites"
    body = {"site_id": point.pk, "year": 2020, "criteria": "祠堂整合", "township_id": t.t2.pk}
    assert Client().post(url, body, content_type="application/json").status_code == 401
    r = api_as(wp.center_admin).post(url, body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "site_outside_township"
    assert "不在" in r.json()["detail"]
    r = api_as(wp.owner).post(
        url, {**body, "township_id": t.t1.pk}, content_type="application/json"
    )
    assert r.status_code == 403
    r = api_as(wp.center_admin).post(
        url, {**body, "township_id": t.t1.pk}, content_type="application/json"
    )
    assert r.status_code == 201
    r = api_as(wp.center_admin).post(
        url, {**body, "township_id": t.t1.pk}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "already_designated"
    rule = Client().get("/api/v1/workplans/demo-sites/townships?year=2020").json()
    assert {x["township"]: x["missing"] for x in rule["townships"]} == {"苏家垱乡": 1, "江益镇": 2}
    geo = Client().get("/api/v1/workplans/demo-sites/map?year=2020").json()
    assert [f["properties"]["n"] for f in geo["features"]] == ["水口村祠堂"]


def test_township_page_form_refuses_a_site_of_another_township(wp):
    c = Client()
    c.force_login(wp.center_admin)
    url = f"/workplans/demo-sites/townships/{wp.tree.t1.pk}/designate/"
    r = c.post(url, {"site_id": wp.tree.st2.pk, "year": 2020, "criteria": "x"})
    assert r.status_code == 400
    r = c.post(url, {"site_id": wp.tree.st1.pk, "year": 2020, "criteria": "达标"})
    assert r.status_code == 302
    page = Client().get("/workplans/demo-sites/townships/?year=2020")
    assert page.status_code == 200 and "江益镇" in page.content.decode()
    inst = Client()
    inst.force_login(wp.owner)
    assert (
        inst.post(url, {"site_id": wp.tree.st1.pk, "year": 2021, "criteria": "x"}).status_code
        == 403
    )
