"""Scope from three sides: the owner (staff of the place) sees and acts, an outsider (staff
elsewhere) gets 404 like for a missing object, a member of the public gets nothing."""

import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.factories import UserFactory
from tests.volunteers.factories import RewardFactory, TeamFactory, VolunteerFactory, credit, member
from xinfeng.core.models import AuditEvent
from xinfeng.volunteers.services.exchange import reward_redeem


@pytest.fixture
def world(tree):
    v = VolunteerFactory(
        home_region=tree.v1, name="本乡人", phone="13911112222", user=UserFactory()
    )
    far = VolunteerFactory(home_region=tree.v2, name="外乡人")
    rec = credit(v, tree.v1, hours=2)
    credit(far, tree.v2, hours=3)
    team = TeamFactory(home_site=tree.st1)
    member(team, v)
    reward = RewardFactory(site=tree.st1, points_cost=5, stock=3)
    redemption = reward_redeem(actor=v.user, reward=reward)
    return v, far, rec, team, redemption


def ids(resp):
    assert resp.status_code == 200, resp.content
    return {i["id"] for i in resp.json()["items"]}


def test_volunteer_list_three_sides(world, owner, outsider, resident, api_as):
    v, far, *_ = world
    assert ids(api_as(owner).get("/api/v1/volunteers/")) == {v.pk}
    assert ids(api_as(outsider).get("/api/v1/volunteers/")) == {far.pk}
    assert ids(api_as(resident).get("/api/v1/volunteers/")) == set()
    assert ids(Client().get("/api/v1/volunteers/")) == set()


def test_volunteer_detail_three_sides(world, owner, outsider, resident, api_as):
    v, *_ = world
    url = f"/api/v1/volunteers/{v.pk}"
    r = api_as(owner).get(url)
    assert r.status_code == 200 and r.json()["phone_masked"] == "139****2222"
    assert "13911112222" not in r.content.decode()
    assert api_as(outsider).get(url).status_code == 404
    assert api_as(resident).get(url).status_code == 404
    assert api_as(owner).get("/api/v1/volunteers/999999").status_code == 404
    assert api_as(v.user).get(url).status_code == 200  # oneself


def test_records_three_sides(world, owner, outsider, resident, api_as):
    v, far, rec, *_ = world
    assert ids(api_as(owner).get("/api/v1/volunteers/records")) == {rec.pk}
    assert rec.pk not in ids(api_as(outsider).get("/api/v1/volunteers/records"))
    assert ids(api_as(resident).get("/api/v1/volunteers/records")) == set()
    assert api_as(outsider).get(f"/api/v1/volunteers/records/{rec.pk}").status_code == 404
    assert ids(api_as(v.user).get("/api/v1/volunteers/me/records")) == {rec.pk}
    r = api_as(outsider).post(
        f"/api/v1/volunteers/records/{rec.pk}/correct",
        json.dumps({"hours": "1", "reason": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 404


def test_team_roster_three_sides(world, owner, outsider, resident, api_as):
    v, _far, _rec, team, _red = world
    url = f"/api/v1/volunteers/teams/{team.pk}/members"
    assert len(api_as(owner).get(url).json()["items"]) == 1
    assert api_as(outsider).get(url).status_code == 404
    assert api_as(resident).get(url).status_code == 404
    assert api_as(v.user).get(url).status_code == 200  # a member sees the roster
    # The team itself is public directory data.
    assert Client().get(f"/api/v1/volunteers/teams/{team.pk}").status_code == 200


def test_redemptions_three_sides(world, owner, outsider, resident, api_as):
    *_, redemption = world
    assert ids(api_as(owner).get("/api/v1/volunteers/redemptions")) == {redemption.pk}
    assert ids(api_as(outsider).get("/api/v1/volunteers/redemptions")) == set()
    assert ids(api_as(resident).get("/api/v1/volunteers/redemptions")) == set()


def test_export_contains_only_scope_and_is_audited(world, owner, outsider, api_as):
    v, far, *_ = world
    r = api_as(owner).get("/api/v1/volunteers/export.xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["本乡人"]
    assert rows[1][4] == "13911112222"  # staff export carries the phone...
    event = AuditEvent.objects.get(action="volunteers_exported")  # ...and is audited
    assert event.actor == owner and event.detail["rows"] == 1
    r = api_as(outsider).get("/api/v1/volunteers/records/export.xlsx")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["外乡人"]


@pytest.mark.parametrize(
    "who,list_status,sees_name,detail_status",
    [("owner", 200, True, 200), ("outsider", 200, False, 404), ("resident", 403, False, 404)],
)
def test_staff_pages_three_sides(world, request, who, list_status, sees_name, detail_status):
    v, *_ = world
    c = Client()
    c.force_login(request.getfixturevalue(who))
    page = c.get("/volunteers/manage/")
    assert page.status_code == list_status
    assert ("本乡人" in page.content.decode()) is sees_name
    assert c.get(f"/volunteers/manage/{v.pk}/").status_code == detail_status


def test_bad_filters_are_4xx(world, owner, api_as):
    assert api_as(owner).get("/api/v1/volunteers/?min_stars=9").status_code == 422
    assert api_as(owner).get("/api/v1/volunteers/records?since=yesterday").status_code == 400
    assert api_as(owner).get("/api/v1/volunteers/?cursor=garbage").status_code == 400
    assert api_as(owner).get("/api/v1/volunteers/?region_id=99999").status_code == 404
