"""A project's life, move by move, by every kind of user: declared → approved (by the
level above the owning site) → active (on the menu) → retired (off it; from any earlier
state too). Expectations are written here, not read from the code: a project the user
cannot see answers 404, a user who may not make the move 403, the wrong state 409."""

import pytest

from xinfeng.accounts.choices import Role
from xinfeng.projects.choices import ProjectStatus
from xinfeng.projects.models import Project

from ..factories import UserFactory, grant

pytestmark = pytest.mark.django_db

S = ProjectStatus
MOVES = {
    # move: (from states, to state, who may make it)
    "approve": ((S.DECLARED,), S.APPROVED, {"owner", "center_admin", "sysadmin"}),
    "activate": ((S.APPROVED,), S.ACTIVE, {"station_op", "owner", "center_admin", "sysadmin"}),
    "retire": (
        (S.DECLARED, S.APPROVED, S.ACTIVE),
        S.RETIRED,
        {"station_op", "owner", "center_admin", "sysadmin"},
    ),
}
# Who sees a project that is not on the menu: staff whose area covers the owning station.
STAFF_HERE = {"station_op", "owner", "center_admin", "sysadmin"}
ACTORS = ["station_op", "owner", "center_admin", "sysadmin", "outsider", "resident"]


@pytest.fixture
def people(tree, owner, outsider, resident, sysadmin):
    return {
        "station_op": grant(UserFactory(username="station_op"), Role.STATION_OPERATOR, tree.v1),
        "owner": owner,  # the township institute above the station
        "center_admin": grant(UserFactory(username="center"), Role.CENTER_ADMIN, tree.city),
        "sysadmin": sysadmin,
        "outsider": outsider,  # staff of another township
        "resident": resident,
    }


def expected(move: str, state: str, actor: str) -> int:
    from_states, _to, who = MOVES[move]
    if state != S.ACTIVE and actor not in STAFF_HERE:
        return 404
    if actor not in who:
        return 403
    return 200 if state in from_states else 409


def cases():
    for move in MOVES:
        for state in S.values:
            for actor in ACTORS:
                yield pytest.param(move, state, actor, id=f"{move}-{state}-{actor}")


@pytest.mark.parametrize("move,state,actor", list(cases()))
def test_project_move(tree, people, api_as, move, state, actor):
    project = Project.objects.create(
        name="颐养之家", category="elderly", site=tree.st1, status=state
    )
    resp = api_as(people[actor]).post(f"/api/v1/projects/{project.pk}/{move}")
    want = expected(move, state, actor)
    assert resp.status_code == want, resp.content
    project.refresh_from_db()
    if want == 200:
        assert project.status == MOVES[move][1] == resp.json()["status"]
        if move == "approve":
            assert project.approved_by == people[actor] and project.approved_at
    else:
        assert project.status == state
        assert resp.json()["detail"] and resp.json()["code"]


def test_a_retired_project_leaves_the_menu_and_takes_no_orders(tree, people, api_as, client):
    project = Project.objects.create(
        name="白衣天使乡村行", category="health", site=tree.st1, status=S.ACTIVE
    )
    assert [p["id"] for p in client.get("/api/v1/projects/").json()["items"]] == [project.pk]
    resp = api_as(people["station_op"]).post(f"/api/v1/projects/{project.pk}/retire")
    assert resp.status_code == 200 and resp.json()["status"] == "retired"
    assert client.get("/api/v1/projects/").json()["items"] == []
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    body = {"project_id": project.pk, "region_id": tree.v1.pk}
    resp = api_as(people["resident"]).post("/api/v1/orders/", body, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["code"] == "not_orderable"
    # A retired project cannot be edited either.
    resp = api_as(people["station_op"]).patch(
        f"/api/v1/projects/{project.pk}", {"summary": "x"}, content_type="application/json"
    )
    assert resp.status_code == 409
