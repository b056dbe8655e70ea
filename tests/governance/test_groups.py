"""Leading groups: set up once per level, one leader, meetings with decisions, a decision
turned into a work-plan task through the workplans service; scope from three sides."""

import json
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.governance.models import Decision, GroupMember, LeadingGroup, Meeting

from .factories import group, meeting

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


@pytest.fixture
def township_admin(tree):
    return grant(UserFactory(username="t1-admin"), Role.INSTITUTE_ADMIN, tree.t1)


def test_a_level_sets_up_one_group(api_as, tree, township_admin):
    client = api_as(township_admin)
    r = post(
        client,
        "/api/v1/governance/groups",
        {"region_id": tree.t1.pk, "established_on": "2020-03-01"},
    )
    assert r.status_code == 201
    assert LeadingGroup.objects.get().name == "苏家垱乡新时代文明实践工作领导小组"
    again = post(client, "/api/v1/governance/groups", {"region_id": tree.t1.pk})
    assert again.status_code == 409 and "已成立" in again.json()["detail"]
    # Another township: not the admin's to set up (a 400 naming the field).
    other = post(client, "/api/v1/governance/groups", {"region_id": tree.t2.pk})
    assert other.status_code == 400


def test_members_one_leader_and_departments(api_as, tree, township_admin):
    g = group(tree.t1)
    client = api_as(township_admin)
    url = f"/api/v1/governance/groups/{g.pk}/members"
    r = post(
        client,
        url,
        {
            "name": "王部长",
            "unit": "市委宣传部",
            "post": "部长",
            "role": "deputy",
            "department": "publicity",
        },
    )
    assert r.status_code == 201 and r.json()["department_label"] == "宣传部"
    second_leader = post(
        client, url, {"name": "李", "unit": "乡政府", "post": "乡长", "role": "leader"}
    )
    assert second_leader.status_code == 409 and "已有组长" in second_leader.json()["detail"]
    assert (
        post(
            client, url, {"name": "李", "unit": "乡政府", "post": "乡长", "department": "nope"}
        ).status_code
        == 400
    )
    assert (
        post(
            client, url, {"name": "李", "unit": "乡政府", "post": "乡长", "role": "boss"}
        ).status_code
        == 400
    )
    assert GroupMember.objects.filter(group=g).count() == 2


def test_a_meeting_with_decisions_and_a_decision_becomes_a_task(
    api_as, tree, township_admin, django_capture_on_commit_callbacks
):
    from xinfeng.workplans.models import Task

    g = group(tree.t1)
    client = api_as(township_admin)
    r = post(
        client,
        f"/api/v1/governance/groups/{g.pk}/meetings",
        {
            "held_on": "2024-03-15",
            "title": "第一次会议",
            "minutes": "研究工作方案",
            "decisions": ["出台工作方案", " ", "明确专职宣传员"],
        },
    )
    assert r.status_code == 201
    assert [d["text"] for d in r.json()["decisions"]] == ["出台工作方案", "明确专职宣传员"]
    decision = Decision.objects.get(text="出台工作方案")
    owner = grant(UserFactory(), Role.STATION_OPERATOR, tree.v1)
    deadline = date(timezone.localdate().year, 12, 31)
    with django_capture_on_commit_callbacks(execute=True):
        t = post(
            client,
            f"/api/v1/governance/decisions/{decision.pk}/task",
            {"owner_id": owner.pk, "deadline": deadline.isoformat()},
        )
    assert t.status_code == 201, t.content
    task = Task.objects.get(pk=t.json()["id"])
    assert (task.title, task.owner_id, task.source, task.plan.region_id) == (
        "出台工作方案",
        owner.pk,
        "decision",
        tree.t1.pk,
    )
    decision.refresh_from_db()
    assert decision.task_id == task.pk
    again = post(
        client,
        f"/api/v1/governance/decisions/{decision.pk}/task",
        {"owner_id": owner.pk, "deadline": deadline.isoformat()},
    )
    assert again.status_code == 409


def test_a_task_owner_outside_the_groups_area_is_a_400(api_as, tree, township_admin):
    g = group(tree.t1)
    decision = meeting(g).decisions.get()
    outsider = grant(UserFactory(), Role.STATION_OPERATOR, tree.v2)
    r = post(
        api_as(township_admin),
        f"/api/v1/governance/decisions/{decision.pk}/task",
        {"owner_id": outsider.pk, "deadline": date(timezone.localdate().year, 12, 31).isoformat()},
    )
    assert r.status_code == 400
    assert Decision.objects.get(pk=decision.pk).task_id is None


def test_a_meeting_in_the_future_or_without_a_title_is_refused(api_as, tree, township_admin):
    g = group(tree.t1)
    client = api_as(township_admin)
    url = f"/api/v1/governance/groups/{g.pk}/meetings"
    assert post(client, url, {"held_on": "2099-01-01", "title": "会"}).status_code in (400, 422)
    assert post(client, url, {"held_on": "2024-01-01", "title": ""}).status_code == 422
    assert not Meeting.objects.exists()


def test_scope_from_three_sides(api_as, tree, township_admin):
    mine, theirs = group(tree.t1), group(tree.t2, name="江益镇小组")
    decision = meeting(theirs).decisions.get()
    client = api_as(township_admin)
    assert client.get(f"/api/v1/governance/groups/{theirs.pk}").status_code == 404
    assert (
        post(
            client,
            f"/api/v1/governance/groups/{theirs.pk}/members",
            {"name": "甲", "unit": "乙", "post": "丙"},
        ).status_code
        == 404
    )
    assert (
        post(
            client,
            f"/api/v1/governance/decisions/{decision.pk}/task",
            {"owner_id": township_admin.pk, "deadline": "2026-12-31"},
        ).status_code
        == 404
    )
    assert [g["id"] for g in client.get("/api/v1/governance/groups").json()["items"]] == [mine.pk]
    leader = grant(UserFactory(), Role.LEADER, tree.t1)
    assert (
        post(
            api_as(leader),
            f"/api/v1/governance/groups/{mine.pk}/members",
            {"name": "甲", "unit": "乙", "post": "丙"},
        ).status_code
        == 403
    )
    assert Client().get("/api/v1/governance/groups").status_code == 401
    assert Client().get(f"/governance/groups/{mine.pk}/").status_code == 302
    page = Client()
    page.force_login(township_admin)
    assert page.get(f"/governance/groups/{theirs.pk}/").status_code == 404


def test_group_pages_record_a_meeting_and_refuse_bad_input(client, tree, township_admin):
    g = group(tree.t1)
    client.force_login(township_admin)
    assert "暂无会议记录" in client.get(f"/governance/groups/{g.pk}/").content.decode()
    bad = client.post(
        f"/governance/groups/{g.pk}/meetings", {"held_on": "2099-01-01", "title": "会"}
    )
    assert bad.status_code == 400 and "应在" in bad.content.decode()
    ok = client.post(
        f"/governance/groups/{g.pk}/meetings",
        {"held_on": "2024-05-01", "title": "推进会", "decisions": "出台方案\n明确人员"},
    )
    assert ok.status_code == 302
    html = client.get(f"/governance/groups/{g.pk}/").content.decode()
    assert "推进会" in html and "明确人员" in html and "转为工作方案任务" in html
