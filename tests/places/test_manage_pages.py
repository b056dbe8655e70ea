"""Staff pages: create and edit sites and venues, name operators and the responsible person,
all in the staff member's scope and through the same services as the API."""

import pytest
from django.test import Client

from tests.factories import UserFactory, VenueFactory
from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment
from xinfeng.places.models import Site


@pytest.fixture
def session(owner):
    client = Client()
    client.force_login(owner)
    return client


def site_form(tree, **extra):
    return {
        "name": "水口村王氏宗祠实践点",
        "level": "point",
        "point_kind": "ancestral_hall",
        "region": tree.v1.id,
        "parent": tree.st1.id,
        "address": "苏家垱乡水口村王氏宗祠",
        "latitude": "29.28",
        "longitude": "115.87",
        "opening_hours": "周末 08:00-20:00",
        "facilities": ["broadcast_room", "library"],
        **extra,
    }


def test_staff_creates_a_point_from_the_page(session, tree):
    response = session.post("/places/manage/sites/new/", site_form(tree))
    assert response.status_code == 302
    site = Site.objects.get(name="水口村王氏宗祠实践点")
    assert response["Location"] == f"/places/manage/sites/{site.id}/"
    assert site.parent == tree.st1
    assert site.facilities == ["broadcast_room", "library"]
    assert site.latitude == pytest.approx(29.28)


def test_create_form_offers_only_regions_in_scope(session, tree):
    html = session.get("/places/manage/sites/new/").content.decode()
    assert "水口村" in html
    assert f'<option value="{tree.v2.id}"' not in html


def test_region_outside_scope_is_refused_on_the_page(session, tree):
    response = session.post("/places/manage/sites/new/", site_form(tree, region=tree.v2.id))
    assert response.status_code == 400
    assert not Site.objects.filter(name="水口村王氏宗祠实践点").exists()


def test_create_page_is_404_for_a_user_without_staff_role(resident, tree):
    client = Client()
    client.force_login(resident)
    assert client.get("/places/manage/sites/new/").status_code == 404


def test_page_shows_cycle_message_next_to_parent(session, tree):
    response = session.post(
        f"/places/manage/sites/{tree.inst1.id}/",
        {
            "name": tree.inst1.name,
            "level": "institute",
            "point_kind": "general",
            "region": tree.t1.id,
            "parent": tree.st1.id,
        },
    )
    assert response.status_code == 400
    assert "循环" in response.content.decode()


def test_responsible_account_is_set_by_phone(session, tree, resident):
    response = session.post(
        f"/places/manage/sites/{tree.st1.id}/",
        {
            "name": tree.st1.name,
            "level": "station",
            "point_kind": "general",
            "region": tree.v1.id,
            "parent": tree.inst1.id,
            "responsible_name": "王秀兰",
            "responsible_title": "村党支部书记",
            "responsible_account": "13800000001",
        },
    )
    assert response.status_code == 302
    tree.st1.refresh_from_db()
    assert tree.st1.responsible_user == resident
    assert tree.st1.responsible_title == "村党支部书记"


def test_unknown_responsible_account_is_a_field_error(session, tree):
    response = session.post(
        f"/places/manage/sites/{tree.st1.id}/",
        {
            "name": tree.st1.name,
            "level": "station",
            "point_kind": "general",
            "region": tree.v1.id,
            "responsible_account": "nobody-here",
        },
    )
    assert response.status_code == 400
    assert "没有用户名或手机号为“nobody-here”的账号" in response.content.decode()


def test_adding_an_operator_grants_the_station_role(session, tree):
    helper = UserFactory(username="liufang", phone="13900000004")
    response = session.post(
        f"/places/manage/sites/{tree.st1.id}/operators/", {"identifier": "13900000004"}
    )
    assert response.status_code == 302
    assert list(tree.st1.operators.all()) == [helper]
    assert RoleAssignment.objects.filter(
        user=helper, role=Role.STATION_OPERATOR, region=tree.v1
    ).exists()
    page = session.get(f"/places/manage/sites/{tree.st1.id}/").content.decode()
    assert helper.name in page


def test_new_operator_can_then_manage_the_station(session, tree):
    helper = UserFactory(username="liufang")
    session.post(f"/places/manage/sites/{tree.st1.id}/operators/", {"identifier": "liufang"})
    client = Client()
    client.force_login(helper)
    assert client.get(f"/places/manage/sites/{tree.st1.id}/").status_code == 200
    assert client.get(f"/places/manage/sites/{tree.inst1.id}/").status_code == 404


def test_removing_an_operator_revokes_the_role(session, tree):
    helper = UserFactory(username="liufang")
    session.post(f"/places/manage/sites/{tree.st1.id}/operators/", {"identifier": "liufang"})
    response = session.post(f"/places/manage/sites/{tree.st1.id}/operators/{helper.id}/remove/")
    assert response.status_code == 302
    assert not tree.st1.operators.exists()
    assert not RoleAssignment.objects.filter(user=helper, role=Role.STATION_OPERATOR).exists()


def test_unknown_operator_shows_a_message(session, tree):
    response = session.post(
        f"/places/manage/sites/{tree.st1.id}/operators/", {"identifier": "ghost"}, follow=True
    )
    assert "没有用户名或手机号为“ghost”的账号" in response.content.decode()
    assert not tree.st1.operators.exists()


def test_operator_add_by_get_is_not_allowed(session, tree):
    assert session.get(f"/places/manage/sites/{tree.st1.id}/operators/").status_code == 405


def test_staff_adds_and_edits_a_venue(session, tree):
    response = session.post(
        f"/places/manage/sites/{tree.st1.id}/venues/new/",
        {
            "name": "文明实践课堂",
            "uses": ["study", "training"],
            "capacity": "60",
            "opens_at": "08:00",
            "closes_at": "21:00",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    venue = tree.st1.venues.get(name="文明实践课堂")
    assert venue.uses == ["study", "training"]
    response = session.post(
        f"/places/manage/venues/{venue.id}/",
        {"name": "文明实践课堂", "uses": ["study"], "capacity": "80", "is_active": "on"},
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.capacity == 80


def test_venue_closing_before_opening_is_a_field_error(session, tree):
    venue = VenueFactory(site=tree.st1)
    response = session.post(
        f"/places/manage/venues/{venue.id}/",
        {"name": venue.name, "capacity": "10", "opens_at": "21:00", "closes_at": "08:00"},
    )
    assert response.status_code == 400
    assert "关闭时间必须晚于开放时间" in response.content.decode()


def test_staff_sees_the_manage_link_and_resident_does_not(session, resident, tree):
    assert 'href="/places/manage/"' in session.get("/").content.decode()
    client = Client()
    client.force_login(resident)
    assert 'href="/places/manage/"' not in client.get("/").content.decode()
