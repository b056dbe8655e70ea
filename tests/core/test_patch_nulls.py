"""Defect 4 of #10 (second half): ``null`` for a field that cannot be empty, in any PATCH,
is a 422 naming the field — never an IntegrityError — and the OpenAPI document does not
offer ``null`` there; fields that may be cleared (a parent, a venue) still take ``null``.
Every PATCH operation of the API is found from the OpenAPI document."""

import json
import re

import pytest

from tests.factories import VenueFactory
from tests.orders.factories import ProjectFactory
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.places.models import Site

pytestmark = pytest.mark.django_db


def _resolve(doc, schema):
    ref = schema.get("$ref", "")
    return doc["components"]["schemas"][ref.split("/")[-1]] if ref else schema


def _patch_bodies(doc):
    for path, methods in doc["paths"].items():
        op = methods.get("patch")
        if op:
            body = op["requestBody"]["content"]["application/json"]["schema"]
            yield path, _resolve(doc, body)


def _allows_null(prop) -> bool:
    return prop.get("type") == "null" or any(v.get("type") == "null" for v in prop.get("anyOf", []))


def test_the_openapi_document_offers_null_only_where_it_clears_a_value(client):
    doc = client.get("/api/v1/openapi.json").json()
    bodies = dict(_patch_bodies(doc))
    assert len(bodies) >= 6, sorted(bodies)
    site = bodies["/api/v1/places/sites/{site_id}"]["properties"]
    assert not _allows_null(site["address"]) and "default" not in site["address"]
    assert not _allows_null(site["opening_hours"]) and not _allows_null(site["host_unit"])
    assert _allows_null(site["parent_id"])
    venue = bodies["/api/v1/places/venues/{venue_id}"]["properties"]
    assert not _allows_null(venue["description"]) and _allows_null(venue["opens_at"])


def test_null_for_every_non_nullable_field_of_every_patch_is_422(client, api_as, owner, tree):
    """Whatever the field, ``null`` where the document does not offer it is refused before
    any object is looked up or written."""
    venue = VenueFactory(site=tree.st1, name="多功能厅", capacity=100)
    ProjectFactory(site=tree.st1, region=tree.v1)
    doc = client.get("/api/v1/openapi.json").json()
    ids = {"site_id": tree.st1.pk, "venue_id": venue.pk}
    staff = api_as(owner)
    tried = 0
    for path, body in _patch_bodies(doc):
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)
        for name, prop in body["properties"].items():
            if _allows_null(prop):
                continue
            resp = staff.patch(url, json.dumps({name: None}), "application/json")
            tried += 1
            assert resp.status_code == 422, (path, name, resp.status_code, resp.content[:200])
            assert name in resp.json()["detail"], (path, name)
    assert tried > 40


@pytest.mark.parametrize("field", ["address", "opening_hours", "host_unit", "description"])
def test_null_text_of_a_site_is_a_clear_422_and_nothing_changes(api_as, owner, tree, field):
    Site.objects.filter(pk=tree.st1.pk).update(address="水口村 1 号")
    resp = api_as(owner).patch(
        f"/api/v1/places/sites/{tree.st1.pk}",
        json.dumps({field: None}),
        "application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 422, resp.content
    assert resp.json()["detail"].startswith(f"{field}: ")
    assert "null" in resp.json()["detail"]
    assert Site.objects.get(pk=tree.st1.pk).address == "水口村 1 号"


def test_null_venue_description_is_422_but_opening_times_can_be_cleared(api_as, owner, tree):
    venue = VenueFactory(site=tree.st1, name="多功能厅", capacity=100)
    staff = api_as(owner)
    url = f"/api/v1/places/venues/{venue.pk}"
    assert (
        staff.patch(url, json.dumps({"description": None}), "application/json").status_code == 422
    )
    resp = staff.patch(url, json.dumps({"opens_at": None, "closes_at": None}), "application/json")
    assert resp.status_code == 200, resp.content
    resp = staff.patch(url, json.dumps({"parent_id": None}), "application/json")
    assert resp.status_code == 200  # unknown fields are ignored as before


def test_a_parent_can_still_be_cleared(api_as, owner, tree):
    resp = api_as(owner).patch(
        f"/api/v1/places/sites/{tree.st1.pk}", json.dumps({"parent_id": None}), "application/json"
    )
    assert resp.status_code in (200, 400), resp.content  # the level rule may refuse; never 500


def test_services_refuse_none_in_a_not_null_text_column_for_every_caller(tree):
    site = Site.objects.get(pk=tree.st1.pk)
    site.opening_hours = None
    with pytest.raises(ValidationFailed) as err:
        full_clean_or_raise(site)
    assert "opening_hours" in err.value.fields
