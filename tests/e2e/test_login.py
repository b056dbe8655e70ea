"""Signing in and out in a real browser on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_signs_in_with_phone_and_out_again(phone_page):
    UserFactory(username="wang", phone="13900000000", display_name="王芳")
    page = phone_page
    page.goto("/places/sites/")
    page.get_by_role("link", name="登录").click()
    page.get_by_label("用户名或手机号").fill("13900000000")
    page.get_by_label("密码").fill("pass-12345")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/places/sites/$"))
    expect(page.locator(".user-chip")).to_have_text("王芳")
    page.get_by_role("button", name="退出").click()
    expect(page.locator(".messages")).to_contain_text("您已退出登录")
    expect(page.get_by_role("link", name="登录")).to_be_visible()


def test_wrong_password_shows_the_message_on_the_form(phone_page):
    UserFactory(username="wang")
    page = phone_page
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号").fill("wang")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名/手机号或密码错误")


def test_staff_reaches_the_manage_page_after_login(phone_page, owner, tree):
    page = phone_page
    login(page, "owner")
    page.get_by_role("link", name="管理", exact=True).click()
    expect(page.locator("h1")).to_have_text("管理阵地")
    expect(page.locator(".list-item")).to_have_count(2)
    page.get_by_role("link", name="水口村实践站").click()
    page.get_by_label("用户名或手机号").fill("owner")
    page.get_by_role("button", name="添加管理员").click()
    expect(page.locator(".messages")).to_contain_text("已添加管理员")
