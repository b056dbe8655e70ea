from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SiteFactory


def test_site_list_is_public_and_paginated(client, tree):
    response = client.get("/api/v1/places/sites", {"limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert len(body["items"]) == 2
    assert body["next_cursor"]
    seen = [s["id"] for s in body["items"]]
    while body["next_cursor"]:
        body = client.get(
            "/api/v1/places/sites", {"limit": 2, "cursor": body["next_cursor"]}
        ).json()
        seen += [s["id"] for s in body["items"]]
    assert len(seen) == len(set(seen)) == 5


def test_site_list_filters_by_region_subtree(client, tree):
    body = client.get("/api/v1/places/sites", {"region_id": tree.t1.id}).json()
    assert {s["name"] for s in body["items"]} == {"苏家垱乡实践所", "水口村实践站"}


def test_site_list_query_count_is_constant(client, tree):
    for _ in range(10):
        SiteFactory(region=tree.v1)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/places/sites", {"limit": 50})
    assert len(ctx.captured_queries) <= 2


def test_bad_cursor_gets_400(client, tree):
    response = client.get("/api/v1/places/sites", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_owner_creates_station_in_scope(api_as, owner, tree):
    response = api_as(owner).post(
        "/api/v1/places/sites",
        {
            "name": "水口村王氏宗祠实践点",
            "level": "point",
            "region_id": tree.v1.id,
            "parent_id": tree.st1.id,
            "point_kind": "ancestral_hall",
            "latitude": 29.28,
            "longitude": 115.87,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["point_kind"] == "ancestral_hall"


def test_outsider_cannot_create_outside_scope(api_as, outsider, tree):
    response = api_as(outsider).post(
        "/api/v1/places/sites",
        {"name": "x", "level": "point", "region_id": tree.v1.id},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_anonymous_cannot_create(client, tree):
    response = client.post(
        "/api/v1/places/sites",
        {"name": "x", "level": "point", "region_id": tree.v1.id},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_outsider_update_answers_404_like_missing(api_as, outsider, tree):
    response = api_as(outsider).patch(
        f"/api/v1/places/sites/{tree.st1.id}", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 404
    missing = api_as(outsider).patch(
        "/api/v1/places/sites/999999", {"name": "改名"}, content_type="application/json"
    )
    assert missing.status_code == 404
    assert response.json() == missing.json()


def test_parent_of_same_level_is_refused(api_as, owner, tree):
    response = api_as(owner).post(
        "/api/v1/places/sites",
        {"name": "x", "level": "station", "region_id": tree.v1.id, "parent_id": tree.st1.id},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "上级阵地" in response.json()["detail"]


def test_venue_capacity_must_be_positive(api_as, owner, tree):
    response = api_as(owner).post(
        f"/api/v1/places/sites/{tree.st1.id}/venues",
        {"name": "活动室", "capacity": 0},
        content_type="application/json",
    )
    assert response.status_code == 422
