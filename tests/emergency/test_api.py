"""The API from three sides (in scope, out of scope 404, anonymous), bad input as clear
4xx JSON, and the phone answer without signing in."""

import pytest
from django.test import Client

from xinfeng.emergency.models import CalloutRecipient
from xinfeng.emergency.services.callouts import answer_token, callout_send

BASE = "/api/v1/emergency"


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def declared(ew, api_as):
    r = _post(
        api_as(ew.owner),
        f"{BASE}/incidents",
        {
            "title": "水口村洪涝",
            "kind": "flood",
            "level": 2,
            "region_id": ew.tree.t1.pk,
            "affected_region_ids": [ew.tree.v1.pk],
        },
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_declare_read_and_timeline(ew, api_as, declared):
    assert declared["events"][0]["action"] == "declare"
    r = api_as(ew.owner).get(f"{BASE}/incidents/{declared['id']}")
    assert r.status_code == 200 and r.json()["title"] == "水口村洪涝"
    items = api_as(ew.owner).get(f"{BASE}/incidents").json()["items"]
    assert [i["id"] for i in items] == [declared["id"]]


def test_out_of_scope_is_404_and_anonymous_sees_nothing(ew, api_as, declared):
    r = api_as(ew.outsider).get(f"{BASE}/incidents/{declared['id']}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert api_as(ew.outsider).get(f"{BASE}/incidents").json()["items"] == []
    anon = Client()
    assert anon.get(f"{BASE}/incidents/{declared['id']}").status_code == 404
    assert anon.get(f"{BASE}/incidents").json()["items"] == []
    r = _post(anon, f"{BASE}/incidents/{declared['id']}/close", {})
    assert r.status_code == 401
    r = _post(api_as(ew.outsider), f"{BASE}/incidents/{declared['id']}/close", {})
    assert r.status_code == 404


def test_station_operator_may_not_declare_a_city_incident(ew, api_as):
    r = _post(
        api_as(ew.operator),
        f"{BASE}/incidents",
        {
            "title": "全市洪涝",
            "kind": "flood",
            "level": 1,
            "region_id": ew.tree.city.pk,
            "affected_region_ids": [ew.tree.t1.pk],
        },
    )
    assert r.status_code == 403 and r.json()["code"] == "not_declarer"


@pytest.mark.parametrize(
    "body,status",
    [
        ({"title": "x", "kind": "volcano", "level": 2}, 422),
        ({"title": "x", "kind": "flood", "level": 5}, 422),
        ({"title": "x", "kind": "flood", "level": 2, "affected_region_ids": []}, 422),
        ({"title": "x", "kind": "flood", "level": 2, "affected_region_ids": [999999]}, 400),
    ],
)
def test_bad_declarations(ew, api_as, body, status):
    full = {"region_id": ew.tree.t1.pk, "affected_region_ids": [ew.tree.v1.pk], **body}
    r = _post(api_as(ew.owner), f"{BASE}/incidents", full)
    assert r.status_code == status, r.content
    assert {"detail", "code"} <= set(r.json())


def test_callout_api_board_and_phone_answers(ew, api_as, declared):
    staff = api_as(ew.owner)
    url = f"{BASE}/incidents/{declared['id']}/callouts"
    r = _post(staff, url, {"title": "潜水", "skills": ["diving"]})
    assert r.status_code == 400 and r.json()["code"] == "no_recipients"
    assert _post(staff, url, {"title": "x", "skills": ["flying"]}).status_code == 422
    assert _post(staff, url, {"title": "x", "team_ids": [987654]}).status_code == 400
    r = _post(staff, url, {"title": "抢险", "team_ids": [ew.rescue.pk]})
    assert r.status_code == 201 and r.json()["recipients"] == 3
    cid = r.json()["id"]
    callout_send(cid)
    anon = Client()
    rows = {r.volunteer_id: r for r in CalloutRecipient.objects.filter(callout_id=cid)}
    yes = _post(anon, f"{BASE}/answers/{answer_token(rows[ew.a.pk].pk)}", {"answer": "coming"})
    no = _post(anon, f"{BASE}/answers/{answer_token(rows[ew.b.pk].pk)}", {"answer": "declined"})
    assert yes.status_code == 200 and yes.json()["state"] == "coming"
    assert no.json()["state"] == "declined"
    assert (
        _post(anon, f"{BASE}/answers/{answer_token(rows[ew.a.pk].pk)}", {"answer": "?"}).status_code
        == 422
    )
    assert _post(anon, f"{BASE}/answers/forged:token", {"answer": "coming"}).status_code == 404
    board = staff.get(f"{BASE}/callouts/{cid}/board").json()
    assert board["total"]["coming"] == 1 and board["total"]["declined"] == 1
    assert board["total"]["no_answer"] == 1
    assert api_as(ew.outsider).get(f"{BASE}/callouts/{cid}/board").status_code == 404
    assert _post(staff, f"{BASE}/callouts/{cid}/close", {}).status_code == 200
    r = _post(anon, f"{BASE}/answers/{answer_token(rows[ew.leader.pk].pk)}", {"answer": "coming"})
    assert r.status_code == 409 and r.json()["code"] == "callout_closed"


def test_roster_api_refuses_overlaps(ew, api_as):
    leader = api_as(ew.leader.user)
    url = f"{BASE}/teams/{ew.rescue.pk}/shifts"
    day = {
        "name": "白班",
        "weekdays": [0, 1, 2, 3, 4, 5, 6],
        "start_time": "08:00",
        "end_time": "20:00",
        "member_ids": [ew.a.pk],
    }
    assert _post(leader, url, day).status_code == 201
    r = _post(leader, url, {**day, "name": "重叠", "start_time": "19:00", "end_time": "23:00"})
    assert r.status_code == 400 and r.json()["code"] == "shift_overlap"
    roster = leader.get(f"{BASE}/teams/{ew.rescue.pk}/roster").json()
    assert len(roster["shifts"]) == 1
    assert api_as(ew.a.user).get(f"{BASE}/teams/{ew.rescue.pk}/roster").status_code == 403


def test_station_checkin_api_at_a_closed_station_is_409(ew, api_as, declared):
    staff = api_as(ew.owner)
    r = _post(
        staff,
        f"{BASE}/incidents/{declared['id']}/stations",
        {"name": "安置点分站", "region_id": ew.tree.v1.pk},
    )
    assert r.status_code == 201
    sid = r.json()["id"]
    r = _post(staff, f"{BASE}/stations/{sid}/checkin", {"volunteer_id": ew.a.pk, "method": "staff"})
    assert r.status_code == 201
    assert _post(staff, f"{BASE}/stations/{sid}/close", {}).status_code == 200
    r = _post(staff, f"{BASE}/stations/{sid}/checkin", {"volunteer_id": ew.b.pk, "method": "staff"})
    assert r.status_code == 409 and r.json()["code"] == "station_closed"


def test_need_commit_api(ew, api_as, declared):
    staff = api_as(ew.owner)
    r = _post(
        staff,
        f"{BASE}/incidents/{declared['id']}/needs",
        {"title": "装沙袋", "region_id": ew.tree.v1.pk, "places": 1},
    )
    nid = r.json()["id"]
    assert (
        _post(
            staff,
            f"{BASE}/incidents/{declared['id']}/needs",
            {"title": "x", "region_id": ew.tree.v1.pk, "places": 0},
        ).status_code
        == 422
    )
    assert _post(api_as(ew.a.user), f"{BASE}/needs/{nid}/commit", {}).status_code == 201
    r = _post(api_as(ew.b.user), f"{BASE}/needs/{nid}/commit", {})
    assert r.status_code == 409 and r.json()["code"] == "need_full"
    # a volunteer of another township does not even see the task
    assert _post(api_as(ew.far.user), f"{BASE}/needs/{nid}/commit", {}).status_code == 404


def test_anonymous_reads_of_a_roster_and_writes_are_401(ew):
    anon = Client()
    assert anon.get(f"{BASE}/teams/{ew.rescue.pk}/roster").status_code == 401
    r = _post(anon, f"{BASE}/incidents", {"title": "x"})
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
