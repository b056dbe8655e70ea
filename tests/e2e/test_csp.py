"""The Content-Security-Policy in a real browser: the key pages (home, order form, dashboard
with ECharts, map with Leaflet, a site page with its small map, the admin's sign-in, the API
docs) run with no CSP violation — every script and style they need is one of our own files
(issue 10)."""

import pytest
from playwright.sync_api import expect

from tests.insights.conftest import city, leader, plain_resident  # noqa: F401  (fixtures)
from xinfeng.insights.rollup import run_rollup

from .conftest import login

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _watch(page):
    messages = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return messages


def _visit(page, url, ready, messages):
    response = page.goto(url)
    assert response.status == 200, url
    assert "Content-Security-Policy" in response.headers or "content-security-policy" in (
        response.headers
    )
    ready()
    page.wait_for_timeout(300)  # let late scripts (charts, tiles) run
    violations = page.evaluate("window.__csp")
    assert violations == [] and messages == [], (url, violations, messages)


@pytest.mark.django_db(transaction=True)
def test_key_pages_raise_no_csp_violation(desktop_page, city, leader, plain_resident):  # noqa: F811
    run_rollup()
    page = desktop_page
    messages = _watch(page)
    _visit(page, "/", lambda: expect(page.locator("main")).to_be_visible(), messages)
    _visit(
        page,
        "/insights/map/",
        lambda: expect(page.locator("#site-map")).to_have_attribute("data-ready", "1"),
        messages,
    )
    _visit(
        page,
        f"/places/sites/{city.st2.pk}/",
        lambda: expect(page.locator(".leaflet-container")).to_have_count(1),
        messages,
    )
    _visit(
        page,
        "/places/sites/",
        lambda: expect(page.locator("main")).to_be_visible(),
        messages,
    )
    login(page, "leader")
    _visit(
        page,
        "/insights/",
        lambda: expect(page.locator("#chart-sites canvas")).to_have_count(1, timeout=20_000),
        messages,
    )
    page.context.clear_cookies()
    login(page, "resident")
    _visit(
        page,
        "/orders/new/",
        lambda: expect(page.locator("#use-location")).to_be_visible(),
        messages,
    )
    # The location button is wired by our static script, not an inline handler.
    page.context.grant_permissions([])
    page.click("#use-location")
    expect(page.locator("#location-status")).not_to_be_empty()
    _visit(
        page,
        "/admin/login/",
        lambda: expect(page.locator("#login-form")).to_be_visible(),
        messages,
    )
    _visit(
        page,
        "/api/v1/docs",
        lambda: expect(page.locator(".swagger-ui")).to_be_visible(timeout=20_000),
        messages,
    )
