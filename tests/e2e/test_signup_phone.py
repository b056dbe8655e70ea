"""A visitor on a phone joins by SMS code and uses the platform: signs up with a code read
from the development SMS table, orders a service, signs out, resets the password by code,
signs in by code. The top bar fits a 390 px screen in Chinese and in English."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import ProjectFactory
from xinfeng.accounts.models import DevSms, User
from xinfeng.orders.models import Order

PHONE_NO = "13912345678"


def sms_code(phone: str) -> str:
    """The code in the newest development SMS to ``phone``, as the person reads it."""
    return re.search(r"\d{6}", DevSms.objects.filter(phone=phone).latest("id").text).group(0)


def fits(page) -> None:
    """Nothing wider than the phone, and every top-bar link inside the screen."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    boxes = page.locator(".topbar a, .topbar button").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); "
        "return [e.textContent.trim(), r.left, r.right]; })"
    )
    outside = [b for b in boxes if b[1] < 0 or b[2] > 390]
    assert not outside, outside


def next_send_allowed():
    """The 60 s interval between codes to one number passes (the rows move back)."""
    from datetime import timedelta

    from django.utils import timezone

    from xinfeng.accounts.models import PhoneCode, SmsQuota

    past = timezone.now() - timedelta(seconds=61)
    PhoneCode.objects.update(created_at=past)
    SmsQuota.objects.update(last_sent_at=past)


@pytest.mark.django_db(transaction=True)
def test_visitor_signs_up_orders_resets_and_signs_in_by_code(phone_page, tree):
    ProjectFactory(name="白衣天使乡村行", site=tree.st1, region=tree.v1)
    page = phone_page

    # 点单 as a visitor leads to the login page, which offers sign-up (keeping the way back).
    page.goto("/")
    fits(page)
    page.locator(".topnav").get_by_role("link", name="点单").click()
    expect(page.locator("h1")).to_have_text("登录")
    page.get_by_role("link", name="用手机号注册").click()
    expect(page.locator("h1")).to_have_text("注册")
    page.fill("input[name=phone]", PHONE_NO)
    page.click("button[type=submit]")
    expect(page.locator(".lead")).to_contain_text("139****5678")
    page.fill("input[name=code]", sms_code(PHONE_NO))
    page.fill("input[name=display_name]", "赵大妈")
    with page.expect_response(lambda r: "/pick/regions/" in r.url):
        page.fill("#id_home_region", "水口")
    page.locator(f"#id_home_region_options input[value='{tree.v1.pk}']").check()
    page.check("input[name=privacy]")
    page.click("button[type=submit]")

    # Signed in and back at 点单, home village preselected.
    expect(page.locator("h1")).to_have_text("我要点单")
    expect(page.locator(".messages")).to_contain_text("注册成功")
    fits(page)
    expect(page.locator("input[name=region]:checked")).to_have_value(str(tree.v1.pk))
    page.fill("#id_title", "屋顶漏水需要帮忙")
    page.fill("#id_address", "水口村 3 组 12 号")
    page.click("button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("点单已提交")
    user = User.objects.get(phone=PHONE_NO)
    assert Order.objects.get().requester == user

    # Sign out; forgot the password (there was none): set one by code.
    page.locator(".topbar").get_by_role("button", name="退出").click()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="忘记密码").click()
    page.fill("input[name=phone]", PHONE_NO)
    next_send_allowed()
    page.click("button[type=submit]")
    page.fill("input[name=code]", sms_code(PHONE_NO))
    page.fill("input[name=password]", "Xf-long-pass-91")
    page.click("button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("密码已重置")
    user.refresh_from_db()
    assert user.check_password("Xf-long-pass-91")

    # Sign in by code.
    page.get_by_role("link", name="验证码登录").click()
    page.fill("input[name=phone]", PHONE_NO)
    next_send_allowed()
    page.click("button[type=submit]")
    page.fill("input[name=code]", sms_code(PHONE_NO))
    page.click("button[type=submit]")
    expect(page.locator(".user-chip")).to_have_text("赵大妈")
    page.locator(".topnav").get_by_role("link", name="我的点单").click()
    expect(page.locator("body")).to_contain_text("屋顶漏水需要帮忙")
    fits(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ["resident", "teamleader", "admin"])
def test_the_top_bar_fits_a_phone_in_chinese_and_english(phone_page, tree, username):
    from tests.factories import UserFactory, grant
    from xinfeng.accounts.choices import Role

    role = {"resident": Role.RESIDENT, "teamleader": Role.TEAM_LEADER, "admin": Role.SYSTEM_ADMIN}
    grant(UserFactory(username=username, display_name="王秀兰"), role[username], tree.v1)
    from .conftest import login

    login(phone_page, username)
    phone_page.goto("/")
    fits(phone_page)
    phone_page.locator(".lang-switch button").click()
    expect(phone_page.locator("html")).to_have_attribute("lang", "en")
    fits(phone_page)
