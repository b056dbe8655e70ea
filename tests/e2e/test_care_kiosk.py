"""自助终端 in Chromium (issue 16): staff pair the kiosk with a one-time code; a resident
identifies by phone and SMS code, orders, sees the ticket; the visit ends, and neither the
next screen nor the back button shows anything of it; after 60 s without a touch the kiosk
returns to the start by itself; a QR code from the phone identifies the next one."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import ProjectFactory, UserFactory, grant
from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import DevSms
from xinfeng.kiosk import services
from xinfeng.orders.models import Order

from .care_checks import axe_violations, care_problems


@pytest.mark.django_db(transaction=True)
def test_kiosk_visit_order_and_wipe(phone_page, tree, resident):
    resident.home_region = tree.v1
    resident.display_name = "王奶奶"
    resident.save()
    ProjectFactory(name="上门理发", site=tree.st1, region=tree.v1)
    operator = grant(UserFactory(username="kiosk_op"), Role.STATION_OPERATOR, tree.v1)
    code = services.pair_code_issue(actor=operator, site=tree.st1)
    page = phone_page
    page.clock.install()
    page.goto(f"/kiosk/{tree.st1.pk}/")
    page.fill("input[name=code]", code)
    page.locator("button[type=submit]").click()
    assert page.locator("header.topbar").count() == 0  # no top bar, no links out

    def identify(phone="13800000001", name="王奶奶"):
        page.fill("input[name=phone]", phone)
        page.get_by_role("button", name="发送验证码").click()
        sms = DevSms.objects.filter(phone=phone).latest("id").text
        page.fill("input[name=code]", re.search(r"\d{6}", sms).group(0))
        page.get_by_role("button", name="确认").click()
        expect(page.locator("h1")).to_contain_text(name)

    def meets_care_rules():
        assert care_problems(page) + axe_violations(page) == [], page.url

    meets_care_rules()  # the start screen
    identify()
    meets_care_rules()  # the menu
    page.get_by_role("link", name=re.compile("我要点单")).click()
    expect(page.get_by_role("link", name=re.compile("上门理发"))).to_be_visible()
    meets_care_rules()
    page.get_by_role("link", name=re.compile("上门理发")).click()
    expect(page.get_by_role("button", name="提交点单")).to_be_visible()
    meets_care_rules()
    page.get_by_role("button", name="提交点单").click()
    order = Order.objects.get(requester=resident)
    expect(page.locator(".kiosk-ticket-no")).to_have_text(str(order.pk))
    meets_care_rules()
    assert page.locator("a[href]:not([href^='/kiosk/'])").count() == 0  # no links out
    page.get_by_role("link", name="返回首页").click()
    expect(page.get_by_role("button", name="发送验证码")).to_be_visible()
    assert "王奶奶" not in page.content()
    page.go_back()
    page.wait_for_load_state()
    assert "王奶奶" not in page.content() and str(order.pk) not in page.locator("main").inner_text()

    # The next person; 60 s without a touch ends the visit and returns to the start.
    UserFactory(username="grandpa", display_name="李爷爷", phone="13800000002")
    identify("13800000002", "李爷爷")
    page.clock.fast_forward(61_000)
    expect(page.get_by_role("button", name="发送验证码")).to_be_visible()
    assert "李爷爷" not in page.content()

    # A QR code from the person's phone, typed in by the kiosk's scanner (it ends with Enter).
    page.fill("input[name=qr]", services.qr_issue(resident))
    page.press("input[name=qr]", "Enter")
    expect(page.locator("h1")).to_contain_text("王奶奶")
