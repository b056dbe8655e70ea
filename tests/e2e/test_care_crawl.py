"""长辈模式 on every resident/volunteer page (issue 16): a signed-in older resident turns it
on from the top bar, then the test crawls every page reachable from the menu (two links
deep) on a 390 px phone and checks the MIIT sizes (text, headings, line height, paragraph
spacing, 60 px targets, nothing off-screen) and axe-core's WCAG 2.1 AA rules, colour
contrast included; then the same pages in standard mode with axe."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.activities.conftest import make_activity, venue  # noqa: F401  (fixtures)
from tests.factories import ProjectFactory, VolunteerFactory
from xinfeng.orders import services as order_services

from .care_checks import axe_violations, care_problems
from .conftest import login

# Not resident/volunteer pages, or not pages at all.
SKIP = (
    "/admin",
    "/api",
    "/static",
    "/media",
    "/accounts/logout",
    "/sync",
    "/places/manage",
    "/insights",
    "/i18n",
)
FILES = (".json", ".xlsx", ".csv", ".ics", ".pdf", ".svg", ".png")
MAX_PAGES = 30


@pytest.fixture
def elder_world(tree, resident, owner, make_activity):  # noqa: F811
    resident.home_region = tree.v1
    resident.display_name = "王奶奶"
    resident.save()
    tree.st1.phone = "0792-4561234"
    tree.st1.save(update_fields=["phone"])
    VolunteerFactory(name="王奶奶", home_region=tree.v1, user=resident)
    project = ProjectFactory(name="上门理发", site=tree.st1, region=tree.v1)
    order_services.order_create(actor=resident, region=tree.v1, project=project)
    make_activity()
    return resident


def _crawl(page) -> list[str]:
    """Same-site pages linked from the home page and from the pages it links to."""
    seen, queue = [], ["/"]
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        if len(seen) > 12 and path.count("/") > 4:
            continue  # deep pages: visit, do not expand further
        page.goto(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            parts = urlsplit(href)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc != urlsplit(page.url).netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIP) or parts.path.endswith(FILES) or "full=1" in target:
                continue
            if target not in seen and target not in queue:
                queue.append(target)
    return seen


def _report(problems: dict) -> str:
    return "\n".join(f"{path}: {line}" for path, lines in problems.items() for line in lines)


@pytest.mark.django_db(transaction=True)
def test_every_resident_page_meets_the_care_rules(phone_page, elder_world):
    page = phone_page
    login(page, "resident")
    page.get_by_role("button", name="长辈模式").click()
    expect(page.locator("html")).to_have_class("care")
    pages = _crawl(page)
    assert len(pages) >= 8, pages
    for key in ("/orders/care/", "/orders/mine/", "/activities/", "/volunteers/", "/accounts/me/"):
        assert any(p.startswith(key) for p in pages), (key, pages)
    problems = {}
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_class("care")
        found = care_problems(page) + axe_violations(page)
        if found:
            problems[path] = found
    assert not problems, _report(problems)

    # Standard mode: the same pages, axe (WCAG 2.1 AA as before) and no sideways scrolling.
    page.goto("/")
    page.get_by_role("button", name="标准模式").click()
    expect(page.locator("html")).not_to_have_class("care")
    problems = {}
    for path in pages:
        page.goto(path)
        found = axe_violations(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 391:
            found.append(f"page wider than the screen: {width}")
        if found:
            problems[path] = found
    assert not problems, _report(problems)
