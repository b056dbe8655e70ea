"""Who may order a project (点单): a place inside its areas and, for a project serving one
age group (老年人, 少年儿童…), the age of the person served inside that group. Checked in
the one service, so the API, the page and Open311 all refuse the same way."""

import pytest

from xinfeng.orders.models import Order
from xinfeng.projects.choices import AgeGroup, ProjectStatus

pytestmark = pytest.mark.django_db


def _post(client, body):
    return client.post("/api/v1/orders/", body, content_type="application/json")


@pytest.fixture
def elderly(world):
    world.project.age_group = AgeGroup.ELDERLY
    world.project.name = "颐养之家"
    world.project.save()
    return world.project


@pytest.mark.parametrize(
    "age,status,code",
    [
        (None, 400, "age_required"),
        (45, 400, "age_not_eligible"),
        (59, 400, "age_not_eligible"),
        (60, 201, None),
        (86, 201, None),
        (151, 422, None),  # outside any human age: refused by the schema
        (-1, 422, None),
    ],
)
def test_an_elderly_project_takes_orders_for_the_elderly_only(
    world, elderly, api_as, age, status, code
):
    body = {"project_id": elderly.pk, "region_id": world.tree.v1.pk}
    if age is not None:
        body["beneficiary_age"] = age
    resp = _post(api_as(world.resident), body)
    assert resp.status_code == status, resp.content
    data = resp.json()
    if status == 201:
        assert data["beneficiary_age"] == age
        assert Order.objects.get().beneficiary_age == age
    else:
        assert data["detail"] and data["code"]
        if code:
            assert data["code"] == code
            assert "颐养之家" in data["detail"] and "老年人" in data["detail"]
        assert not Order.objects.exists()


@pytest.mark.parametrize(
    "group,ok,refused",
    [
        (AgeGroup.CHILDREN, [0, 9, 17], [18, 40]),
        (AgeGroup.YOUTH, [14, 35], [13, 36]),
        (AgeGroup.ADULTS, [18, 70], [17]),
        (AgeGroup.ALL, [3, 90], []),
    ],
)
def test_each_age_group_has_its_range(world, api_as, group, ok, refused):
    world.project.age_group = group
    world.project.save()
    client = api_as(world.resident)
    for age in ok:
        body = {"project_id": world.project.pk, "region_id": world.tree.v1.pk}
        resp = _post(client, {**body, "beneficiary_age": age})
        assert resp.status_code == 201, (age, resp.content)
    for age in refused:
        body = {"project_id": world.project.pk, "region_id": world.tree.v1.pk}
        resp = _post(client, {**body, "beneficiary_age": age})
        assert resp.status_code == 400 and resp.json()["code"] == "age_not_eligible", age


def test_staff_ordering_for_a_resident_are_held_to_the_same_rule(world, elderly, api_as):
    body = {
        "project_id": elderly.pk,
        "region_id": world.tree.v1.pk,
        "channel": "proxy",
        "on_behalf_of_id": world.resident.pk,
    }
    resp = _post(api_as(world.operator), body)
    assert resp.status_code == 400 and resp.json()["code"] == "age_required"
    resp = _post(api_as(world.operator), {**body, "beneficiary_age": 78})
    assert resp.status_code == 201, resp.content
    assert resp.json()["channel"] == "proxy"


def test_area_and_status_decide_before_age(world, elderly, api_as):
    # Outside the project's area: refused whatever the age.
    body = {"project_id": elderly.pk, "region_id": world.tree.v2.pk, "beneficiary_age": 80}
    resp = _post(api_as(world.resident), body)
    assert resp.status_code == 400 and resp.json()["code"] == "not_orderable"
    # A retired project is off the menu.
    elderly.status = ProjectStatus.RETIRED
    elderly.save()
    body["region_id"] = world.tree.v1.pk
    resp = _post(api_as(world.resident), body)
    assert resp.status_code == 400 and resp.json()["code"] == "not_orderable"


def test_the_order_page_asks_for_the_age_and_shows_the_rule_in_chinese(client, world, elderly):
    client.force_login(world.resident)
    form = client.get(f"/orders/new/?project={elderly.pk}").content.decode()
    assert "服务对象年龄" in form
    data = {"project": elderly.pk, "region": world.tree.v1.pk, "address": "3 组"}
    resp = client.post("/orders/new/", data)
    assert resp.status_code == 400
    assert "请填写服务对象的年龄" in resp.content.decode()
    resp = client.post("/orders/new/", {**data, "beneficiary_age": "30"})
    assert resp.status_code == 400 and "不在服务对象范围内" in resp.content.decode()
    assert not Order.objects.exists()
    resp = client.post("/orders/new/", {**data, "beneficiary_age": "81"}, follow=True)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "点单已提交" in html and "81 岁" in html
    assert Order.objects.get().beneficiary_age == 81


def test_a_site_order_is_made_by_its_own_staff_inside_its_area(world, api_as):
    body = {"title": "村里环境整治", "region_id": world.tree.v1.pk, "channel": "site"}
    resp = _post(api_as(world.operator), body)
    assert resp.status_code == 400 and resp.json()["code"] == "site_required"
    # Staff elsewhere cannot make orders for this station, nor a resident for any.
    for user in (world.outsider, world.resident):
        resp = _post(api_as(user), {**body, "site_id": world.tree.st1.pk})
        assert resp.status_code == 403 and resp.json()["detail"], user
    # The township institute may push an order down to one of its villages…
    resp = _post(api_as(world.upper), {**body, "site_id": world.tree.inst1.pk})
    assert resp.status_code == 201, resp.content
    assert resp.json()["state"] == "pending_dispatch" and resp.json()["channel"] == "site"
    # …but not to a village of another township.
    other = {**body, "region_id": world.tree.v2.pk, "site_id": world.tree.inst1.pk}
    resp = _post(api_as(world.sysadmin), other)
    assert resp.status_code == 400 and resp.json()["code"] == "out_of_area"
    assert Order.objects.count() == 1


def test_staff_order_only_for_residents_of_their_area(world, api_as):
    """Otherwise any account's name and phone could be pulled into an order staff read."""
    from xinfeng.accounts.choices import Role

    from ..factories import UserFactory, grant

    far = grant(UserFactory(username="far", phone="13900000077"), Role.RESIDENT, world.tree.v2)
    nowhere = UserFactory(username="nowhere", phone="13900000088")
    body = {"title": "电话点单：理发", "region_id": world.tree.v1.pk, "channel": "proxy"}
    for person in (far, nowhere):
        resp = _post(api_as(world.operator), {**body, "on_behalf_of_id": person.pk})
        assert resp.status_code == 404 and resp.json()["code"] == "not_found", person
        assert "13900000" not in resp.content.decode()
    assert not Order.objects.exists()
    # Someone whose home is in the station's village, with no role there, is fine.
    near = UserFactory(username="near", home_region=world.tree.v1)
    resp = _post(api_as(world.operator), {**body, "on_behalf_of_id": near.pk})
    assert resp.status_code == 201, resp.content
    assert Order.objects.get().requester == near
    # Staff of the city may order for the far resident.
    resp = _post(api_as(world.sysadmin), {**body, "on_behalf_of_id": far.pk})
    assert resp.status_code == 201, resp.content
