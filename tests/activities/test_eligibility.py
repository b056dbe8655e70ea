"""Who may sign up (everyone, registered volunteers, members of one team), the service
project an activity belongs to, and the API list's filters: each with clear 4xx."""

import pytest

from tests.factories import ProjectFactory, TeamFactory, join
from xinfeng.activities import services
from xinfeng.activities.models import Activity, Signup
from xinfeng.core.errors import PermissionDenied, ValidationFailed

JSON = "application/json"


@pytest.fixture
def team(tree):
    return TeamFactory(name="水口村志愿服务队", home_site=tree.st1, region=tree.v1)


def test_volunteers_only_activity_refuses_a_plain_resident(
    make_activity, people, make_volunteer, api_as
):
    activity = make_activity(eligibility="volunteers")
    resident, volunteer = people(2)
    make_volunteer(volunteer)
    with pytest.raises(PermissionDenied) as exc:
        services.signup_create(actor=resident, activity=activity)
    assert exc.value.code == "volunteers_only"
    r = api_as(resident).post(f"/api/v1/activities/{activity.pk}/signups")
    assert r.status_code == 403 and r.json()["code"] == "volunteers_only"
    signup = services.signup_create(actor=volunteer, activity=activity)
    assert signup.state == "confirmed" and signup.volunteer.user == volunteer


def test_team_activity_takes_only_active_members_of_that_team(
    make_activity, people, make_volunteer, team, tree, client
):
    activity = make_activity(eligibility="team", team=team)
    member, other_volunteer, resident = people(3)
    join(team, make_volunteer(member))
    other_team = TeamFactory(home_site=tree.st1, region=tree.v1)
    join(other_team, make_volunteer(other_volunteer))
    for outsider in (other_volunteer, resident):
        with pytest.raises(PermissionDenied) as exc:
            services.signup_create(actor=outsider, activity=activity)
        assert exc.value.code == "team_only"
    assert services.signup_create(actor=member, activity=activity).state == "confirmed"
    # The page names who may sign up, and a non-member gets the reason, not a 500.
    client.force_login(resident)
    html = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "指定队伍成员" in html and "水口村志愿服务队" in html
    r = client.post(f"/activities/{activity.pk}/signup/")
    assert r.status_code == 403 and "仅限指定队伍的队员" in r.content.decode()
    assert Signup.objects.filter(activity=activity).count() == 1


def test_team_eligibility_needs_a_team(make_activity, api_as, owner, tree):
    with pytest.raises(ValidationFailed):
        make_activity(eligibility="team")
    from tests.activities.test_api import _body

    r = api_as(owner).post(
        "/api/v1/activities/", _body(tree, eligibility="team"), content_type=JSON
    )
    assert r.status_code == 400 and "队伍" in r.json()["detail"]


def test_activity_belongs_to_a_service_project_of_its_area(make_activity, tree, api_as, owner):
    county_project = ProjectFactory(name="白衣天使乡村行", site=tree.center)
    activity = make_activity(project=county_project)
    assert Activity.objects.get(pk=activity.pk).project == county_project
    got = api_as(owner).get(f"/api/v1/activities/{activity.pk}").json()
    assert got["project_id"] == county_project.pk
    # A project of another township does not cover 水口村.
    elsewhere = ProjectFactory(name="江益镇的项目", site=tree.inst2)
    with pytest.raises(ValidationFailed) as exc:
        make_activity(project=elsewhere)
    assert exc.value.code == "project_elsewhere"
    from tests.activities.test_api import _body

    r = api_as(owner).post(
        "/api/v1/activities/", _body(tree, project_id=elsewhere.pk), content_type=JSON
    )
    assert r.status_code == 400 and r.json()["code"] == "project_elsewhere"
    r = api_as(owner).post("/api/v1/activities/", _body(tree, project_id=999999), content_type=JSON)
    assert r.status_code == 400


def test_api_list_filters_by_category_day_village_and_rejects_bad_ones(client, make_activity, tree):
    from datetime import timedelta

    from tests.activities.conftest import soon

    start = soon(hours=72)
    make_activity(title="广场健身操", category="sport", starts_at=start)
    make_activity(title="政策宣讲", category="theory", starts_at=start + timedelta(days=1))

    def titles(**params):
        r = client.get("/api/v1/activities/", params)
        assert r.status_code == 200, r.content
        return [a["title"] for a in r.json()["items"]]

    assert titles(category="sport") == ["广场健身操"]
    assert titles(day=(start + timedelta(days=1)).date().isoformat()) == ["政策宣讲"]
    assert titles(near_region_id=tree.v1.pk, radius_m=2000) == ["广场健身操", "政策宣讲"]
    assert client.get("/api/v1/activities/", {"category": "nope"}).status_code == 422
    r = client.get("/api/v1/activities/", {"near_lat": 29.25})
    assert r.status_code == 400 and r.json()["code"] == "near_incomplete"
    r = client.get("/api/v1/activities/", {"near_lat": 29.25, "near_lng": 115.8, "radius_m": 0})
    assert r.status_code == 400 and r.json()["code"] == "bad_radius"
