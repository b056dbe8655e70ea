"""Guards over the whole OpenAPI document, so a new endpoint cannot bring back a class of
defect #10 fixed: every date or time an API caller sends is held to a window, no time of
day claims ``format: time`` (which requires an offset), every ``limit`` and ``cursor`` has
its bounds, and reads do not declare authentication required."""

import pytest

pytestmark = pytest.mark.django_db

WINDOW = "Must lie"  # the description every core.schema window type carries


def _doc(client):
    return client.get("/api/v1/openapi.json").json()


def _resolve(doc, schema):
    ref = schema.get("$ref", "")
    return doc["components"]["schemas"][ref.split("/")[-1]] if ref else schema


def _variants(doc, schema):
    schema = _resolve(doc, schema)
    yield schema
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _variants(doc, sub)
    if schema.get("type") == "array" and "items" in schema:
        yield from _variants(doc, schema["items"])


def _inputs(doc):
    """(where, name, schema, description) for every query/path parameter and every
    property of every request body (one level of nesting, arrays included)."""
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            for p in op.get("parameters", []):
                yield f"{method} {path}", p["name"], p.get("schema", {}), p.get("description", "")
            for content in op.get("requestBody", {}).get("content", {}).values():
                body = _resolve(doc, content["schema"])
                for name, prop in body.get("properties", {}).items():
                    yield f"{method} {path}", name, prop, prop.get("description", "")


def test_every_date_input_is_held_to_a_window(client):
    doc = _doc(client)
    dated = 0
    for where, name, schema, description in _inputs(doc):
        for variant in _variants(doc, schema):
            if variant.get("format") in ("date", "date-time"):
                dated += 1
                text = description + variant.get("description", "")
                assert WINDOW in text, (where, name, "use a core.schema window type")
    assert dated > 20


def test_no_schema_claims_format_time(client):
    text = client.get("/api/v1/openapi.json").content.decode()
    assert '"format": "time"' not in text


def test_limits_and_cursors_state_their_bounds(client):
    doc = _doc(client)
    seen = set()
    for where, name, schema, _d in _inputs(doc):
        variants = list(_variants(doc, schema))
        if name == "limit":
            seen.add(name)
            assert any("minimum" in v and "maximum" in v for v in variants), where
        if name == "cursor":
            seen.add(name)
            assert any("maxLength" in v and "pattern" in v for v in variants), where
    assert seen == {"limit", "cursor"}


def test_reads_never_require_authentication_in_the_document(client):
    """A read is open to anonymous callers (optional security) unless it declares
    ``auth=signed_in`` — then the document says so, and an anonymous caller gets 401
    (tests/architecture/test_api_auth.py checks every such operation)."""
    doc = _doc(client)
    for path, methods in doc["paths"].items():
        get = methods.get("get")
        if get and get.get("security"):
            assert {} in get["security"] or get["security"] == [{"SignedIn": []}], path
