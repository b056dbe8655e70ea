"""Security headers on every kind of response, and debug pages only for a loopback client
(issue 10, defences)."""

import re
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path

from xinfeng import urls as project_urls

HEADERS = ("Content-Security-Policy", "Referrer-Policy", "Permissions-Policy")


def assert_hardened(response):
    for h in HEADERS:
        assert response.get(h), (h, response.status_code)
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = dict(
        (part.split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split("; ")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"].startswith("'self' 'nonce-")
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["style-src"].startswith("'self' 'nonce-")
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/places/sites/",
        "/api/v1/places/sites",
        "/api/v1/openapi.json",
        "/api/v1/no-such-thing",
        "/no-such-page/",
        "/static/xinfeng/xinfeng.css",
        "/static/vendor/htmx/htmx.min.js",
        "/healthz",
        "/accounts/login/",
    ],
)
def test_every_kind_of_response_has_the_headers(db, url):
    response = Client().get(url)
    assert response.status_code in (200, 404), (url, response.status_code)
    assert_hardened(response)


def test_a_post_refused_by_csrf_has_the_headers(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {})
    assert response.status_code == 403
    assert_hardened(response)


def test_the_nonce_changes_per_response(db):
    a = Client().get("/")["Content-Security-Policy"]
    b = Client().get("/")["Content-Security-Policy"]
    assert re.search(r"'nonce-([^']+)'", a).group(1) != re.search(r"'nonce-([^']+)'", b).group(1)


TEMPLATES = Path(__file__).resolve().parents[2] / "xinfeng"
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"  # inline script
    r"|<style[\s>]"  # inline style sheet
    r"|\son[a-z]+=\""  # inline event handler
    r"|\shx-on[:-]"  # htmx inline handler (needs eval)
    r"|javascript:"
)


def test_templates_have_no_inline_script_style_or_handler():
    """What the CSP blocks: keep behaviour in static files (data-* hooks in
    static/xinfeng/xinfeng.js) and style sheets in files. (style="" attributes are allowed by
    style-src-attr: ECharts and Leaflet build them, and they cannot run code.)"""
    offenders = []
    for f in TEMPLATES.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        for m in INLINE.finditer(text):
            if "nonce=" in text[m.start() : text.find(">", m.start())]:
                continue
            offenders.append(f"{f.relative_to(TEMPLATES)}: {m.group(0)!r}")
    assert offenders == []


# --- debug pages -------------------------------------------------------------------------


def boom(request):
    secret_row = {"phone": "13912345678"}  # noqa: F841 - a local the traceback would show
    raise RuntimeError("kaboom")


urlpatterns = [path("boom/", boom), path("api/boom/", boom), *project_urls.urlpatterns]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "203.0.113.7"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"},
        {"REMOTE_ADDR": "10.0.0.5"},
    ],
)
def test_debug_tracebacks_never_reach_an_outside_client(db, meta):
    c = Client(raise_request_exception=False)
    page = c.get("/boom/", **meta)
    assert page.status_code == 500
    assert b"13912345678" not in page.content and b"Traceback" not in page.content
    assert_hardened(page)
    api = c.get("/api/boom/", **meta)
    assert api.status_code == 500 and api.json()["code"] == "server_error"
    missing = c.get("/no-such-page/", **meta)
    assert missing.status_code == 404 and b"URLconf" not in missing.content


@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
def test_debug_tracebacks_still_help_on_the_developers_own_machine(db):
    page = Client(raise_request_exception=False).get("/boom/", REMOTE_ADDR="127.0.0.1")
    assert page.status_code == 500 and b"kaboom" in page.content
