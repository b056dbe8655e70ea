"""四单制 in a real browser on a phone: a resident orders, the station operator reviews and
dispatches (with the engine's ranked suggestion), the team leader accepts naming a member,
and after the service the resident rates it. Every screen is checked in Chinese."""

import re

import pytest
from playwright.sync_api import expect

from tests.orders.conftest import build, world  # noqa: F401 - fixtures used below
from xinfeng.orders import services
from xinfeng.orders.choices import OrderState
from xinfeng.orders.models import Order

from .conftest import PHONE, login

# Latin words a Chinese screen may show: the language switch offers "English", the
# footer links the "API" (a name, not prose).
LATIN_ALLOWED = {"English", "API"}


def assert_chinese(page) -> None:
    """The screen is in Chinese: the document says so, its visible text is Chinese, no
    untranslated (Latin-script) word shows, and nothing scrolls sideways on the phone."""
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    text = page.locator("body").inner_text()
    latin = set(re.findall(r"[A-Za-z]{3,}", text)) - LATIN_ALLOWED
    assert not latin, f"{page.url}: untranslated {sorted(latin)}"
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in text) >= 20, page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.fixture
def phone_as(browser, live_server):
    """``phone_as(username)`` → a page in its own phone-sized browser context, logged in."""
    contexts = []

    def _open(username: str):
        context = browser.new_context(**PHONE, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        login(page, username)
        return page

    yield _open
    for c in contexts:
        c.close()


@pytest.mark.django_db(transaction=True)
def test_order_dispatch_accept_rate_on_a_phone(phone_as, world):  # noqa: F811
    w = world
    # 点单: the resident picks the project and says where.
    resident = phone_as("resident")
    resident.goto(f"/orders/new/?project={w.project.pk}")
    expect(resident.locator("h1")).to_have_text("我要点单")
    expect(resident.locator("#id_project")).to_have_value(str(w.project.pk))
    # The village is a search picker (a province has ~20,000): home village preselected;
    # searching another name swaps the list in place (htmx), picking is a tap on a radio.
    region = resident.locator("input[name=region]:checked")
    expect(region).to_have_value(str(w.tree.v1.pk))
    assert_chinese(resident)
    resident.fill("#id_region", "江益")
    other = resident.locator(f"#id_region_options input[value='{w.tree.v2.pk}']")
    expect(other).to_be_visible()
    resident.fill("#id_region", "水口")
    expect(other).to_have_count(0)
    resident.locator(f"#id_region_options input[value='{w.tree.v1.pk}']").check()
    expect(region).to_have_value(str(w.tree.v1.pk))
    resident.fill("#id_address", "水口村 3 组 12 号")
    resident.fill("#id_description", "家里两位老人想量血压")
    resident.click("button[type=submit]")
    expect(resident.locator("h1 .badge")).to_have_text("待审核")
    expect(resident.locator(".messages")).to_contain_text("点单已提交")
    assert_chinese(resident)
    order = Order.objects.get()

    # 审单 + 派单: the station operator.
    operator = phone_as("operator")
    operator.goto("/orders/queue/")
    expect(operator.locator("h1")).to_have_text("派单台")
    assert_chinese(operator)
    operator.click(f"a[href='/orders/{order.pk}/']")
    operator.click("text=审核通过")
    expect(operator.locator("h1 .badge")).to_have_text("待派单")
    expect(operator.locator("legend", has_text="派给哪支队伍")).to_be_visible()
    first = operator.locator("#dispatch-form input[name=team]").first
    expect(first).to_be_checked()
    expect(operator.locator("#dispatch-reason")).not_to_have_value("")
    assert_chinese(operator)
    operator.click("#dispatch-form button[type=submit]")
    expect(operator.locator("h1 .badge")).to_have_text("已派单")
    assert_chinese(operator)
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED and order.team == w.team_a

    # 接单: the team leader names a member.
    leader = phone_as("leader_a")
    leader.goto("/orders/team/")
    expect(leader.locator("h1")).to_have_text("接单")
    assert_chinese(leader)
    leader.click(f"a[href='/orders/{order.pk}/']")
    leader.check(f"input[name=members][value='{w.member_a.pk}']")
    expect(leader.locator(f"input[name=members][value='{w.minor_a.pk}']")).to_be_enabled()
    assert_chinese(leader)
    leader.click("button:has-text('接单')")
    expect(leader.locator("h1 .badge")).to_have_text("已接单")
    expect(leader.locator("#h-members")).to_have_text("服务队员")
    assert_chinese(leader)

    # The member confirms, the team serves (through the services, as the pages above).
    services.assignment_answer(actor=w.member_a.user, order=order, confirm=True)
    services.order_start(actor=w.leader_a.user, order=order)
    from xinfeng.orders.services.hours import HoursLine

    services.order_complete(
        actor=w.leader_a.user,
        order=order,
        report="为两位老人量了血压",
        member_hours=[HoursLine(w.member_a.pk, 0)],  # the full flow is test_member_hours_flow
    )

    # 评单: the resident rates.
    resident.goto(f"/orders/{order.pk}/")
    expect(resident.locator("h1 .badge")).to_have_text("待评价")
    assert_chinese(resident)
    resident.click("text=评价服务")
    expect(resident.locator("h1")).to_have_text("评价服务")
    assert_chinese(resident)
    resident.check("input[name=level][value='5']")
    resident.fill("textarea[name=comment]", "志愿者很耐心")
    resident.click("button[type=submit]")
    expect(resident.locator(".messages")).to_contain_text("感谢您的评价")
    expect(resident.locator("h1 .badge")).to_have_text("已评价")
    expect(resident.locator("#h-rating")).to_have_text("评价")
    expect(resident.locator(".timeline")).to_contain_text("派单")
    assert_chinese(resident)
    order.refresh_from_db()
    assert order.state == OrderState.RATED and order.rating_level == 5
