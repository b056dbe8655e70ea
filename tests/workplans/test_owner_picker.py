"""The task form's owner is a search picker (a province's plan has thousands of candidate
owners): the form accepts an owner inside the plan's area and refuses one outside, and
the picker's endpoint lists exactly the people the form accepts, to those who may edit."""

from django.test import Client

from tests.factories import UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.workplans.forms import NOT_IN_AREA, TaskForm
from xinfeng.workplans.models import Task

PICK = "/workplans/pick/owners/"


def _as(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _task(owner_id) -> dict:
    return {"title": "建好村史馆", "owner_id": owner_id, "deadline": "2020-05-01"}


def test_the_form_accepts_an_owner_inside_the_area_and_refuses_one_outside(wp):
    inside = TaskForm(_task(wp.station_op.pk), plan=wp.plan)
    assert inside.is_valid(), inside.errors
    assert inside.cleaned_data["owner_id"] == wp.station_op
    outside = TaskForm(_task(wp.outsider.pk), plan=wp.plan)  # staff of another township
    assert not outside.is_valid()
    assert outside.errors["owner_id"] == [str(NOT_IN_AREA)]
    no_role = TaskForm(_task(UserFactory().pk), plan=wp.plan)
    assert not no_role.is_valid()
    assert not TaskForm(_task("x"), plan=wp.plan).is_valid()


def test_the_page_refuses_an_owner_outside_the_area(wp):
    r = _as(wp.owner).post(f"/workplans/{wp.plan.pk}/tasks/new/", _task(wp.outsider.pk))
    assert r.status_code == 400
    assert str(NOT_IN_AREA) in r.content.decode()
    assert not Task.objects.exists()
    ok = _as(wp.owner).post(f"/workplans/{wp.plan.pk}/tasks/new/", _task(wp.station_op.pk))
    assert ok.status_code == 302
    assert Task.objects.get().owner == wp.station_op


def test_the_page_renders_a_picker_not_a_select_of_everyone(wp):
    for i in range(30):
        grant(UserFactory(display_name=f"站员{i:02d}"), Role.STATION_OPERATOR, wp.tree.v1)
    html = _as(wp.owner).get(f"/workplans/{wp.plan.pk}/").content.decode()
    assert 'data-picker="owner_id"' in html
    assert '<select name="owner_id"' not in html
    assert PICK in html
    # A short first list (the picker's limit), not all 30 and more candidates.
    assert 0 < html.count('name="owner_id"') <= 21


def test_the_picker_searches_the_candidates_of_the_plan(wp):
    grant(UserFactory(display_name="苏家垱站员甲"), Role.STATION_OPERATOR, wp.tree.v1)
    grant(UserFactory(display_name="江益站员乙"), Role.STATION_OPERATOR, wp.tree.v2)
    params = {"field": "owner_id", "plan": wp.plan.pk}
    r = _as(wp.owner).get(PICK, {**params, "q": "站员"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "苏家垱站员甲" in body
    assert "江益站员乙" not in body  # outside the plan's area: not offered, not accepted
    assert "江益站员乙" not in _as(wp.owner).get(PICK, {**params, "q": "江益"}).content.decode()


def test_the_picker_from_every_side(wp):
    params = {"field": "owner_id", "plan": wp.plan.pk}
    assert _as(None).get(PICK, params).status_code == 401
    assert _as(wp.outsider).get(PICK, params).status_code == 404  # the plan is out of scope
    assert _as(wp.station_op).get(PICK, params).status_code == 403  # reads, may not edit
    assert _as(wp.center_admin).get(PICK, params).status_code == 200
    for bad in ({"field": "owner_id"}, {**params, "plan": "x"}, {**params, "plan": "9" * 30}):
        assert _as(wp.owner).get(PICK, bad).status_code == 400, bad
    assert _as(wp.owner).get(PICK, {**params, "plan": 10**17}).status_code == 404
    assert _as(wp.owner).get(PICK, {**params, "field": "Bad-Name"}).status_code == 400


def test_the_picker_the_form_and_the_api_accept_the_same_people(wp):
    """A site's responsible person or operator without a role works inside the area: the
    service accepted them, so the picker offers them and the form accepts them too; an
    inactive account, or one whose site lies outside, is offered and accepted by none."""
    from xinfeng.workplans.policy import owner_candidates, owner_in_area

    head = UserFactory(display_name="站长无角色")
    seat = UserFactory(display_name="管理员无角色")
    gone = UserFactory(display_name="已停用站长", is_active=False)
    far = UserFactory(display_name="外乡站长")
    wp.tree.st1.responsible_user = head
    wp.tree.st1.save(update_fields=["responsible_user"])
    wp.tree.st1.operators.add(seat, gone)
    wp.tree.st2.operators.add(far)  # 江益村, another township
    params = {"field": "owner_id", "plan": wp.plan.pk, "q": "无角色"}
    body = _as(wp.owner).get(PICK, params).content.decode()
    assert "站长无角色" in body and "管理员无角色" in body
    for q in ("已停用", "外乡"):
        assert q not in _as(wp.owner).get(PICK, {**params, "q": q}).content.decode()
    candidates = set(owner_candidates(wp.plan.region))
    for person in (head, seat, gone, far, wp.station_op, wp.outsider):
        accepted = TaskForm(_task(person.pk), plan=wp.plan).is_valid()
        assert accepted == (person in candidates) == owner_in_area(person, wp.plan.region)
    assert {head, seat, wp.station_op} <= candidates
    assert not {gone, far, wp.outsider} & candidates
    # No duplicates though the operator also holds a role there.
    wp.tree.st1.operators.add(wp.station_op)
    ids = list(owner_candidates(wp.plan.region).values_list("pk", flat=True))
    assert len(ids) == len(set(ids))
