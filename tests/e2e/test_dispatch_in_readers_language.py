"""Dispatch people can trust, read in their own language, in a real browser: the station
operator (desktop, Chinese) sees the team that delivers the ordered project suggested
first with one plain sentence, and dispatches with it; the resident on a 390 px phone in
English reads the notifications in English, and an English-speaking operator reads the
dispatch reason in English."""

import re

import pytest
from playwright.sync_api import expect

from tests.orders.conftest import build, world  # noqa: F401 - fixtures used below
from xinfeng.orders.choices import OrderState

from .conftest import PHONE, login

CJK = re.compile(r"[\u3400-\u9fff]+")


@pytest.fixture
def open_as(browser, live_server):
    """``open_as(username, locale, phone)`` → a logged-in page in its own context."""
    contexts = []

    def _open(username: str, *, locale: str = "zh-CN", phone: bool = False):
        opts = (
            {**PHONE, "locale": locale}
            if phone
            else {
                "viewport": {"width": 1440, "height": 900},
                "locale": locale,
            }
        )
        context = browser.new_context(**opts, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        login(page, username)
        return page

    yield _open
    for c in contexts:
        c.close()


@pytest.mark.django_db(transaction=True)
def test_the_delivering_team_comes_first_and_everyone_reads_their_language(
    open_as,
    world,  # noqa: F811
    build,  # noqa: F811
):
    w = world
    w.project.teams.add(w.team_b)  # 苏家垱乡志愿服务队 delivers the ordered project
    order = build(OrderState.PENDING_DISPATCH)

    op = open_as("operator")
    op.goto(f"/orders/{order.pk}/")
    first = op.locator("#dispatch-form .choices li").first
    expect(first).to_contain_text("苏家垱乡志愿服务队")
    expect(first).to_contain_text("苏家垱乡志愿服务队：承接该项目，距离")
    expect(first.locator("input[name=team]")).to_be_checked()
    reason = op.locator("#dispatch-reason").input_value()
    assert reason.startswith("苏家垱乡志愿服务队：承接该项目")
    op.locator("#dispatch-form button[type=submit]").click()
    op.wait_for_load_state()
    expect(op.locator("h1")).to_contain_text("已派单")

    # The resident, on a phone in English: the inbox reads English (team and order names
    # are theirs and stay as written).
    resident = open_as("resident", locale="en-US", phone=True)
    resident.goto("/notifications/")
    body = resident.locator("main").inner_text()
    assert "苏家垱乡志愿服务队" in body
    left = CJK.findall(body.replace("苏家垱乡志愿服务队", " ").replace(order.title, " "))
    assert left == [], left
    assert resident.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # An operator reading in English sees the system's sentence in English.
    en = open_as("operator", locale="en-US")
    en.goto(f"/orders/{order.pk}/")
    facts = en.locator("dl.facts").inner_text()
    assert "delivers this project" in facts and " km away" in facts
    assert "承接该项目" not in facts
