"""Teams: join requests approved by the team leader, leaving keeps history, 1+7+N rules."""

import json

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.volunteers.factories import TeamFactory, VolunteerFactory, member
from xinfeng.notifications.models import Notification
from xinfeng.volunteers.choices import MembershipRole
from xinfeng.volunteers.models import TeamMembership


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def team_world(tree):
    team = TeamFactory(home_site=tree.st1, name="水口村志愿服务队")
    leader = VolunteerFactory(home_region=tree.v1, user=UserFactory())
    member(team, leader, MembershipRole.LEADER)
    joiner = VolunteerFactory(home_region=tree.v1, user=UserFactory())
    return team, leader, joiner


def test_join_approved_by_leader_then_leave_keeps_history(
    team_world, api_as, django_capture_on_commit_callbacks
):
    team, leader, joiner = team_world
    with django_capture_on_commit_callbacks(execute=True):
        r = post(
            api_as(joiner.user), f"/api/v1/volunteers/teams/{team.pk}/join", {"message": "我会急救"}
        )
    assert r.status_code == 201 and r.json()["status"] == "pending"
    assert Notification.objects.filter(recipient=leader.user, kind="team_join_request").exists()
    mid = r.json()["id"]
    # Asking twice is a conflict; a bystander cannot approve.
    assert post(api_as(joiner.user), f"/api/v1/volunteers/teams/{team.pk}/join").status_code == 409
    assert (
        post(api_as(UserFactory()), f"/api/v1/volunteers/memberships/{mid}/approve").status_code
        == 404
    )
    assert (
        post(api_as(joiner.user), f"/api/v1/volunteers/memberships/{mid}/approve").status_code
        == 403
    )
    r = post(api_as(leader.user), f"/api/v1/volunteers/memberships/{mid}/approve")
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert (
        post(api_as(leader.user), f"/api/v1/volunteers/memberships/{mid}/approve").status_code
        == 409
    )
    r = post(api_as(joiner.user), f"/api/v1/volunteers/memberships/{mid}/leave")
    assert r.status_code == 200 and r.json()["status"] == "left" and r.json()["left_at"]
    # History stays; joining again makes a new row.
    assert post(api_as(joiner.user), f"/api/v1/volunteers/teams/{team.pk}/join").status_code == 201
    assert TeamMembership.objects.filter(team=team, volunteer=joiner).count() == 2


def test_non_volunteer_cannot_join(team_world, api_as):
    team, *_ = team_world
    r = post(api_as(UserFactory()), f"/api/v1/volunteers/teams/{team.pk}/join")
    assert r.status_code == 403 and r.json()["code"] == "not_a_volunteer"


def test_team_create_by_staff_with_1_7_n_rules(tree, owner, outsider, api_as):
    data = {
        "name": "苏家垱乡理论宣讲队",
        "team_type": "specialised",
        "home_site_id": tree.inst1.pk,
        "service_categories": ["theory"],
        "capacity": 4,
        "standby_24h": True,
    }
    assert post(api_as(outsider), "/api/v1/volunteers/teams", data).status_code == 403
    r = post(api_as(owner), "/api/v1/volunteers/teams", data)
    assert r.status_code == 201, r.content
    assert r.json()["region_id"] == tree.t1.pk and r.json()["standby_24h"] is True
    bad = dict(data, service_categories=["astrology"])
    assert post(api_as(owner), "/api/v1/volunteers/teams", bad).status_code == 422
    bad = dict(data, capacity=0)
    assert post(api_as(owner), "/api/v1/volunteers/teams", bad).status_code == 422
    general = post(
        api_as(owner),
        "/api/v1/volunteers/teams",
        dict(data, team_type="general", parent_id=r.json()["id"]),
    )
    assert general.status_code == 400  # the general team has no parent
    listed = Client().get("/api/v1/volunteers/teams?category=theory&standby=true").json()
    assert [t["name"] for t in listed["items"]] == ["苏家垱乡理论宣讲队"]


def test_team_leader_edits_service_details_only(team_world, api_as):
    team, leader, _ = team_world
    url = f"/api/v1/volunteers/teams/{team.pk}"
    r = api_as(leader.user).patch(url, json.dumps({"capacity": 7}), content_type="application/json")
    assert r.status_code == 200 and r.json()["capacity"] == 7
    r = api_as(leader.user).patch(
        url, json.dumps({"name": "改名"}), content_type="application/json"
    )
    assert r.status_code == 403


def test_team_pages(team_world, tree):
    team, leader, joiner = team_world
    assert "水口村志愿服务队" in Client().get("/volunteers/teams/").content.decode()
    c = Client()
    c.force_login(joiner.user)
    page = c.get(f"/volunteers/teams/{team.pk}/")
    assert "申请加入" in page.content.decode()
    r = c.post(f"/volunteers/teams/{team.pk}/join/", {"message": ""})
    assert r.status_code == 302
    lc = Client()
    lc.force_login(leader.user)
    html = lc.get(f"/volunteers/teams/{team.pk}/").content.decode()
    assert "待审核的申请" in html and joiner.name in html
    m = TeamMembership.objects.get(volunteer=joiner)
    assert lc.post(f"/volunteers/memberships/{m.pk}/approve/").status_code == 302
    m.refresh_from_db()
    assert m.status == "active"
    again = lc.post(f"/volunteers/memberships/{m.pk}/approve/")
    assert again.status_code == 409 and "不能执行此操作" in again.content.decode()


def test_minor_cannot_join_an_emergency_team(tree, owner, api_as):
    from tests.volunteers.factories import years_ago

    rescue = TeamFactory(home_site=tree.st1, name="防汛队", standby_24h=True)
    kid = VolunteerFactory(home_region=tree.v1, birth_date=years_ago(16), user=UserFactory())
    r = post(api_as(kid.user), f"/api/v1/volunteers/teams/{rescue.pk}/join")
    assert r.status_code == 403 and r.json()["code"] == "minor_risky_work"
    r = post(
        api_as(owner), f"/api/v1/volunteers/teams/{rescue.pk}/members", {"volunteer_id": kid.pk}
    )
    assert r.status_code == 403
    adult = VolunteerFactory(home_region=tree.v1, user=UserFactory())
    assert post(api_as(adult.user), f"/api/v1/volunteers/teams/{rescue.pk}/join").status_code == 201


def test_risky_work_helper():
    from datetime import date

    from tests.volunteers.factories import years_ago
    from xinfeng.volunteers.models import Volunteer
    from xinfeng.volunteers.policy import volunteer_may_take_risky_work

    assert volunteer_may_take_risky_work(Volunteer(birth_date=years_ago(18)))
    assert not volunteer_may_take_risky_work(Volunteer(birth_date=years_ago(18, days=-1)))
    assert not volunteer_may_take_risky_work(Volunteer(birth_date=None))
    assert not volunteer_may_take_risky_work(
        Volunteer(birth_date=date(1980, 1, 1), is_active=False)
    )


def test_team_edit_page_leader_and_staff(team_world, owner, outsider, tree):
    team, leader, joiner = team_world
    lc = Client()
    lc.force_login(leader.user)
    page = lc.get(f"/volunteers/teams/{team.pk}/edit/").content.decode()
    assert "同时承接单数" in page and 'name="name"' not in page
    r = lc.post(
        f"/volunteers/teams/{team.pk}/edit/",
        {"capacity": "6", "service_categories": ["elderly"], "description": "敬老"},
    )
    assert r.status_code == 302
    team.refresh_from_db()
    assert team.capacity == 6 and team.service_categories == ["elderly"]
    r = lc.post(f"/volunteers/teams/{team.pk}/edit/", {"capacity": "0"})
    assert r.status_code == 400

    sc = Client()
    sc.force_login(owner)
    r = sc.post(
        f"/volunteers/teams/{team.pk}/edit/",
        {
            "name": "水口村新时代志愿服务队",
            "team_type": "village",
            "home_site": tree.st1.pk,
            "capacity": "4",
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    team.refresh_from_db()
    assert team.name == "水口村新时代志愿服务队" and team.capacity == 4

    jc = Client()
    jc.force_login(joiner.user)
    assert jc.get(f"/volunteers/teams/{team.pk}/edit/").status_code == 403
    oc = Client()
    oc.force_login(outsider)
    assert oc.get(f"/volunteers/teams/{team.pk}/edit/").status_code == 403


def test_staff_appoint_and_step_down_a_leader_on_the_page_and_the_api(team_world, owner, api_as):
    """Regression: the role change locked across an outer join, which PostgreSQL refuses
    (a 500 on every appointment there)."""
    team, leader, joiner = team_world
    m = member(team, joiner)
    client = Client()
    client.force_login(owner)
    r = client.post(f"/volunteers/memberships/{m.pk}/leader/")
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.role == MembershipRole.LEADER
    assert joiner.user.role_assignments.filter(role="team_leader").exists()
    r = post(api_as(owner), f"/api/v1/volunteers/memberships/{m.pk}/role", {"role": "member"})
    assert r.status_code == 200, r.content
    m.refresh_from_db()
    assert m.role == MembershipRole.MEMBER
    # A member of the public may not appoint anyone.
    assert post(
        api_as(joiner.user), f"/api/v1/volunteers/memberships/{m.pk}/role", {"role": "leader"}
    ).status_code in (403, 404)
