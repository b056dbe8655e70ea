"""Bodies Django or the API parser refuse answer the error shape, never a 500, on every
endpoint: too large (413 ``too_large``), malformed multipart (400 ``invalid_multipart``),
a JSON value that is not an object (400 ``not_an_object``). The operations come from the
OpenAPI document, so a new endpoint is covered without being listed here."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")


def _operations(client, content_type, *, user_auth_only=False):
    """(method, path) of every write taking ``content_type``; with ``user_auth_only``,
    only those a user's token opens (not, e.g., the upper platforms' sync inbound API,
    which refuses a user's token before it reads the body)."""
    doc = client.get("/api/v1/openapi.json").json()
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            schemes = {name for req in op.get("security", []) for name in req}
            if user_auth_only and schemes and "SessionOrBearer" not in schemes:
                continue
            if method in WRITES and content_type in body:
                yield method, re.sub(r"\{[^}]+\}", "1", path)


def _call(client, method, path, **kwargs):
    return getattr(client, method)(path, **kwargs)


def test_a_body_over_the_limit_is_413_json_on_every_write_endpoint(client, api_as, owner):
    big = json.dumps({"x": "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    signed_in = api_as(owner)
    operations = list(_operations(client, "application/json"))
    assert len(operations) > 50
    for method, path in operations + [("post", "/api/v1/volunteers/register")]:
        for caller in (Client(), signed_in):
            resp = _call(caller, method, path, data=big, content_type="application/json")
            assert resp.status_code == 413, (method, path, resp.content[:200])
            body = resp.json()
            assert body["code"] == "too_large" and body["detail"], (method, path)


def test_too_large_answer_is_translated_and_pages_get_a_413_page(client):
    big = "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    resp = client.post(
        "/api/v1/orders/",
        data=json.dumps({"x": big}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 413
    assert resp.json()["detail"].startswith("The request body is too large")
    page = client.post("/accounts/login/", data={"username": "x", "password": big})
    assert page.status_code == 413
    assert page["Content-Type"].startswith("text/html") and "413" in page.content.decode()


def test_too_many_fields_in_a_form_or_a_query_string_is_413(client):
    many = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    resp = client.get("/api/v1/places/sites?" + "&".join(f"f{i}=1" for i in range(many)))
    assert resp.status_code == 413 and resp.json()["code"] == "too_large"
    page = client.post("/accounts/login/", data={f"f{i}": "1" for i in range(many)})
    assert page.status_code == 413


def test_multipart_without_a_boundary_is_400_on_every_upload_endpoint(client, api_as, owner):
    operations = list(_operations(client, "multipart/form-data"))
    paths = {p for _m, p in operations}
    for known in (
        "/api/v1/activities/1/cover",
        "/api/v1/activities/1/report/photos",
        "/api/v1/orders/1/complete",
    ):
        assert known in paths, sorted(paths)
    signed_in = api_as(owner)
    bodies = [
        ("multipart/form-data", b"abc"),  # no boundary at all
        ("multipart/form-data; boundary=", b"abc"),  # an empty one
        ("multipart/form-data; boundary=\u00e9\u00e9", b"--x\r\n"),  # not ASCII
    ]
    for method, path in operations:
        for content_type, data in bodies:
            resp = _call(signed_in, method, path, data=data, content_type=content_type)
            assert resp.status_code == 400, (method, path, content_type, resp.content[:200])
            assert resp.json()["code"] == "invalid_multipart", (method, path)


def test_a_page_post_with_a_broken_multipart_body_is_400_not_500(client):
    resp = client.post("/accounts/login/", data=b"abc", content_type="multipart/form-data")
    assert resp.status_code == 400


@pytest.mark.parametrize("value", ["[]", "[1, 2]", '"text"', "3", "null", "true"])
def test_a_json_body_that_is_not_an_object_is_400_on_every_json_endpoint(
    client, api_as, owner, value
):
    signed_in = api_as(owner)
    for method, path in _operations(client, "application/json", user_auth_only=True):
        resp = _call(signed_in, method, path, data=value, content_type="application/json")
        assert resp.status_code == 400, (method, path, value, resp.content[:200])
        assert resp.json()["code"] == "not_an_object", (method, path, value)


def test_open311_refuses_a_large_body_in_its_own_error_shape(client):
    big = {"description": "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    resp = client.post("/open311/v2/requests.json", big)
    assert resp.status_code == 413
    assert resp.json()[0]["code"] == 413 and resp.json()[0]["description"]
    resp = client.post("/open311/v2/requests.xml", big)
    assert resp.status_code == 413 and b"<errors>" in resp.content
