"""Scope from three sides on every places list and detail, page and API: a user in scope
(``owner``: institute admin of 苏家垱乡, which holds 水口村), a staff user of the sibling
township (``outsider``: 江益镇) and an anonymous visitor.

Public reads (directory, site page, regions, venues) answer the same to all three; staff
reads and writes answer 404 outside scope, exactly like a missing object."""

import pytest
from django.test import Client

from tests.factories import VenueFactory

SIDES = ["owner", "outsider", "anonymous"]


@pytest.fixture
def as_side(request, owner, outsider, api_as):
    """``as_side(side, api=True)`` → a client for that side (bearer token for the API,
    a session for pages)."""

    def make(side: str, api: bool = True) -> Client:
        if side == "anonymous":
            return Client()
        user = {"owner": owner, "outsider": outsider}[side]
        if api:
            return api_as(user)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def venue(tree):
    return VenueFactory(site=tree.st1, name="水口村多功能厅", uses=["study", "film"], capacity=80)


# Public reads: the same answer on every side ----------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_site_list_api_is_public(as_side, tree, side):
    body = as_side(side).get("/api/v1/places/sites", {"limit": 50}).json()
    assert {s["name"] for s in body["items"]} == {
        "实践中心",
        "苏家垱乡实践所",
        "江益镇实践所",
        "水口村实践站",
        "江益村实践站",
    }


@pytest.mark.parametrize("side", SIDES)
def test_site_detail_api_is_public_and_hides_staff_fields(as_side, tree, side):
    body = as_side(side).get(f"/api/v1/places/sites/{tree.st1.id}").json()
    assert body["name"] == "水口村实践站"
    assert "operators" not in body and "responsible_name" not in body


@pytest.mark.parametrize("side", SIDES)
def test_region_list_and_detail_are_public(as_side, tree, side):
    client = as_side(side)
    names = {r["name"] for r in client.get("/api/v1/places/regions").json()["items"]}
    assert {"共青城市", "苏家垱乡", "江益镇", "水口村", "江益村"} <= names
    assert client.get(f"/api/v1/places/regions/{tree.v2.id}").json()["name"] == "江益村"
    assert client.get("/api/v1/places/regions/by-code/360482201200").json()["name"] == "水口村"


@pytest.mark.parametrize("side", SIDES)
def test_venue_list_and_detail_are_public(as_side, venue, side):
    client = as_side(side)
    items = client.get("/api/v1/places/venues", {"site_id": venue.site_id}).json()["items"]
    assert [v["name"] for v in items] == ["水口村多功能厅"]
    assert client.get(f"/api/v1/places/venues/{venue.id}").json()["capacity"] == 80


@pytest.mark.parametrize("side", SIDES)
def test_directory_page_is_public(as_side, tree, side):
    html = as_side(side, api=False).get("/places/sites/").content.decode()
    assert "水口村实践站" in html and "江益村实践站" in html


@pytest.mark.parametrize("side", SIDES)
def test_site_page_is_public_and_shows_title_not_person(as_side, tree, side):
    tree.st1.responsible_name = "王建华"
    tree.st1.responsible_title = "村党支部书记"
    tree.st1.save()
    html = as_side(side, api=False).get(f"/places/sites/{tree.st1.id}/").content.decode()
    assert "村党支部书记" in html
    assert "王建华" not in html


# Staff reads: in scope, 404 elsewhere, 401/login for anonymous ----------------------------


def test_managed_site_list_api_shows_only_my_scope(as_side, tree):
    names = {s["name"] for s in as_side("owner").get("/api/v1/places/manage/sites").json()["items"]}
    assert names == {"苏家垱乡实践所", "水口村实践站"}
    names = {
        s["name"] for s in as_side("outsider").get("/api/v1/places/manage/sites").json()["items"]
    }
    assert names == {"江益镇实践所", "江益村实践站"}


def test_managed_site_list_api_needs_login(as_side, tree):
    response = as_side("anonymous").get("/api/v1/places/manage/sites")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_managed_site_detail_api_from_three_sides(as_side, tree):
    tree.st1.responsible_name = "王建华"
    tree.st1.save()
    url = f"/api/v1/places/manage/sites/{tree.st1.id}"
    ok = as_side("owner").get(url)
    assert ok.status_code == 200
    assert ok.json()["responsible_name"] == "王建华"
    hidden = as_side("outsider").get(url)
    missing = as_side("outsider").get("/api/v1/places/manage/sites/987654")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert as_side("anonymous").get(url).status_code == 401


def test_resident_sees_no_managed_sites(api_as, resident, tree):
    assert api_as(resident).get("/api/v1/places/manage/sites").json()["items"] == []


def test_manage_page_lists_only_my_scope(as_side, tree):
    html = as_side("owner", api=False).get("/places/manage/").content.decode()
    assert "水口村实践站" in html and "江益村实践站" not in html
    html = as_side("outsider", api=False).get("/places/manage/").content.decode()
    assert "江益村实践站" in html and "水口村实践站" not in html


def test_manage_page_sends_anonymous_to_login(as_side, tree):
    response = as_side("anonymous", api=False).get("/places/manage/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("side,status", [("owner", 200), ("outsider", 404), ("anonymous", 302)])
def test_manage_site_page_from_three_sides(as_side, tree, side, status):
    response = as_side(side, api=False).get(f"/places/manage/sites/{tree.st1.id}/")
    assert response.status_code == status
    if status == 404:
        assert "水口村实践站" not in response.content.decode()


@pytest.mark.parametrize("side,status", [("owner", 200), ("outsider", 404), ("anonymous", 302)])
def test_manage_venue_page_from_three_sides(as_side, venue, side, status):
    response = as_side(side, api=False).get(f"/places/manage/venues/{venue.id}/")
    assert response.status_code == status


# Writes: in scope only ---------------------------------------------------------------------


@pytest.mark.parametrize("side,status", [("owner", 200), ("outsider", 404), ("anonymous", 401)])
def test_site_update_api_from_three_sides(as_side, tree, side, status):
    response = as_side(side).patch(
        f"/api/v1/places/sites/{tree.st1.id}",
        {"opening_hours": "周一至周日 08:00-20:00"},
        content_type="application/json",
    )
    assert response.status_code == status
    tree.st1.refresh_from_db()
    expected = "周一至周日 08:00-20:00" if status == 200 else ""
    assert tree.st1.opening_hours == expected


@pytest.mark.parametrize("side,status", [("owner", 201), ("outsider", 404), ("anonymous", 401)])
def test_venue_create_api_from_three_sides(as_side, tree, side, status):
    response = as_side(side).post(
        f"/api/v1/places/sites/{tree.st1.id}/venues",
        {"name": "议事厅", "capacity": 30, "uses": ["meeting"]},
        content_type="application/json",
    )
    assert response.status_code == status
    assert tree.st1.venues.filter(name="议事厅").exists() == (status == 201)


@pytest.mark.parametrize("side,status", [("owner", 200), ("outsider", 404), ("anonymous", 401)])
def test_venue_update_api_from_three_sides(as_side, venue, side, status):
    response = as_side(side).patch(
        f"/api/v1/places/venues/{venue.id}", {"capacity": 120}, content_type="application/json"
    )
    assert response.status_code == status
    venue.refresh_from_db()
    assert venue.capacity == (120 if status == 200 else 80)


@pytest.mark.parametrize("side,status", [("owner", 200), ("outsider", 404), ("anonymous", 401)])
def test_operator_add_api_from_three_sides(as_side, tree, resident, side, status):
    response = as_side(side).post(
        f"/api/v1/places/manage/sites/{tree.st1.id}/operators",
        {"identifier": "13800000001"},
        content_type="application/json",
    )
    assert response.status_code == status
    assert tree.st1.operators.filter(pk=resident.pk).exists() == (status == 200)


@pytest.mark.parametrize("side,status", [("owner", 302), ("outsider", 404), ("anonymous", 302)])
def test_site_edit_page_post_from_three_sides(as_side, tree, side, status):
    response = as_side(side, api=False).post(
        f"/places/manage/sites/{tree.st1.id}/",
        {
            "name": "水口村新时代文明实践站",
            "level": "station",
            "point_kind": "general",
            "region": tree.v1.id,
            "parent": tree.inst1.id,
        },
    )
    assert response.status_code == status
    tree.st1.refresh_from_db()
    assert (tree.st1.name == "水口村新时代文明实践站") == (side == "owner")


@pytest.fixture
def leader(tree):
    """A leader of the city: reads everything below it, changes nothing."""
    from tests.factories import UserFactory, grant
    from xinfeng.accounts.choices import Role

    return grant(UserFactory(username="leader"), Role.LEADER, tree.city)


def test_leader_reads_managed_sites_but_writes_get_403(api_as, leader, tree, venue):
    client = api_as(leader)
    names = {s["name"] for s in client.get("/api/v1/places/manage/sites").json()["items"]}
    assert {"水口村实践站", "江益村实践站", "实践中心"} <= names
    patch = client.patch(
        f"/api/v1/places/sites/{tree.st1.id}", {"name": "改名"}, content_type="application/json"
    )
    assert patch.status_code == 403
    assert patch.json()["code"] == "forbidden"
    venue_patch = client.patch(
        f"/api/v1/places/venues/{venue.id}", {"capacity": 1}, content_type="application/json"
    )
    assert venue_patch.status_code == 403
    tree.st1.refresh_from_db()
    assert tree.st1.name == "水口村实践站"


def test_leader_gets_no_staff_pages(leader, tree):
    client = Client()
    client.force_login(leader)
    assert client.get(f"/places/manage/sites/{tree.st1.id}/").status_code == 404
    assert 'href="/places/manage/"' not in client.get("/").content.decode()
