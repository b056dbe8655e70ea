"""OpenAPI at /api/v1/openapi.json, Swagger UI at /api/v1/docs from our own static files,
and a short fuzz of every places and accounts GET endpoint: never a 5xx."""

import re

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from xinfeng.accounts.models import ApiToken
from xinfeng.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    method="GET", path_regex=r"^/api/v1/(places|accounts)/"
)


def test_openapi_document_lists_places_and_accounts(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    for path in [
        "/api/v1/places/regions",
        "/api/v1/places/regions/by-code/{code}",
        "/api/v1/places/sites",
        "/api/v1/places/sites/{site_id}",
        "/api/v1/places/manage/sites",
        "/api/v1/places/venues",
        "/api/v1/accounts/me",
        "/api/v1/accounts/users",
        "/api/v1/accounts/tokens",
    ]:
        assert path in doc["paths"], path
    assert "region_code" in doc["components"]["schemas"]["SiteIn"]["properties"]


def test_docs_page_loads_nothing_from_outside(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets
    assert "/static/vendor/swagger-ui/swagger-ui.css" in assets
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
    for asset in assets:
        if asset.startswith("/static/"):
            served = Client().get(asset)
            assert served.status_code == 200, asset
            body = b"".join(served.streaming_content) if served.streaming else served.content
            assert body, asset


def test_vendored_swagger_ui_carries_its_licence():
    from pathlib import Path

    from django.conf import settings as django_settings

    folder = Path(django_settings.BASE_DIR, "xinfeng", "static", "vendor", "swagger-ui")
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "npm" in (folder / "SOURCE.txt").read_text()


@pytest.fixture
def owner_token(owner):
    _token, raw = ApiToken.issue(user=owner, name="fuzz")
    return raw


@pytest.fixture
def keep_db_connection():
    """Schemathesis calls the WSGI app directly, so Django's end-of-request handler would
    close the database connection inside the test's transaction (PostgreSQL then fails
    every later query). Django's own test client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_get_endpoints_never_answer_5xx(case, tree, owner_token, keep_db_connection):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {owner_token}"},
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )


def _resolve(doc: dict, schema: dict) -> dict:
    ref = schema.get("$ref", "")
    return doc["components"]["schemas"][ref.split("/")[-1]] if ref else schema


def test_every_operation_declares_its_4xx_errors_with_the_error_schema(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    error = doc["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"detail", "code"}
    operations = 0
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            operations += 1
            responses = operation["responses"]
            wanted = {"400", "401", "404", "422"}
            if method.upper() not in ("GET", "HEAD", "OPTIONS"):
                wanted |= {"403", "409", "429"}
            assert wanted <= set(responses), (method, path, sorted(responses))
            for status in wanted:
                body = responses[status]["content"]["application/json"]["schema"]
                assert _resolve(doc, body) == error, (method, path, status)
                assert responses[status]["description"]
    assert operations > 100  # every app's routes, not a sample


def test_real_error_answers_match_the_declared_schema(client, api_as, owner, db):
    import jsonschema_rs

    doc = client.get("/api/v1/openapi.json").json()
    error = doc["components"]["schemas"]["Error"]
    answers = [
        ("get", "/api/v1/places/sites/{site_id}", client.get("/api/v1/places/sites/999999"), 404),
        ("get", "/api/v1/places/sites/{site_id}", client.get("/api/v1/places/sites/0"), 422),
        ("get", "/api/v1/accounts/me", client.get("/api/v1/accounts/me"), 401),
        (
            "get",
            "/api/v1/accounts/me",
            client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION="Bearer nonsense"),
            401,
        ),
        (
            "post",
            "/api/v1/accounts/tokens",
            api_as(owner).post(
                "/api/v1/accounts/tokens", data="{not json", content_type="application/json"
            ),
            400,
        ),
    ]
    for method, path, response, status in answers:
        assert response.status_code == status, (path, response.content)
        assert str(status) in doc["paths"][path][method]["responses"], (path, status)
        jsonschema_rs.validate(error, response.json())
    with pytest.raises(jsonschema_rs.ValidationError):  # the check can fail
        jsonschema_rs.validate(error, {"detail": "x"})
