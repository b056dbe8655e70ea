"""Answers that never reach an API endpoint are still the API's JSON errors."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/orders/1/no-such-move", "/api/v1/../v1/x", "/api/"]
)
def test_unknown_api_paths_are_json_404(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["code"] == "not_found" and body["detail"]


def test_a_method_an_endpoint_does_not_take_is_json_405_with_allow(client):
    resp = client.delete("/api/v1/orders/", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 405
    assert resp.json() == {
        "detail": "This endpoint does not take DELETE requests.",
        "code": "method_not_allowed",
    }
    assert "GET" in resp["Allow"] and "POST" in resp["Allow"]


def test_endpoint_errors_keep_their_own_body_and_pages_stay_html(client):
    resp = client.get("/api/v1/orders/not-a-number")
    assert resp.status_code in (400, 401, 422) and resp.json()["code"] != "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and not page["Content-Type"].startswith("application/json")
