"""#10 in the emergency API: shift times are local times of day (an offset is a 422, not a
500 from the database), unavailability periods and temporary-station services are held
to the plan window of ``core.validation``."""

import json

import pytest

BASE = "/api/v1/emergency"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("start", ["08:00:00+08:00", "08:00Z", "25:00"])
def test_a_shift_time_with_an_offset_or_out_of_range_is_422(ew, api_as, start):
    day = {"name": "白班", "weekdays": [0], "start_time": start, "end_time": "20:00"}
    r = _post(api_as(ew.leader.user), f"{BASE}/teams/{ew.rescue.pk}/shifts", day)
    assert r.status_code == 422, r.content
    assert "start_time" in r.json()["detail"]


def test_shift_times_come_back_as_written(ew, api_as):
    leader = api_as(ew.leader.user)
    day = {"name": "白班", "weekdays": [0], "start_time": "08:30", "end_time": "20:00"}
    assert _post(leader, f"{BASE}/teams/{ew.rescue.pk}/shifts", day).status_code == 201
    shift = leader.get(f"{BASE}/teams/{ew.rescue.pk}/roster").json()["shifts"][0]
    assert shift["start_time"] == "08:30:00"


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:00:00-12:00", "1999-01-01T08:00:00+08:00"])
def test_unavailability_outside_the_plan_window_is_422(ew, api_as, starts_at):
    body = {"starts_at": starts_at, "ends_at": "2099-01-01T08:00:00+08:00"}
    r = _post(api_as(ew.a.user), f"{BASE}/unavailability", body)
    assert r.status_code == 422, r.content
    assert "starts_at" in r.json()["detail"]
