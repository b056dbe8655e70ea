"""Issue 11 from the people's side, on a 390 px phone: the team leader accepts an order
naming members by searching (not a list of the whole team), the members confirm on their
phones, the start waits until enough confirmed, the leader confirms each member's hours on
completion, and a member disputes their hours."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.orders.conftest import build, world  # noqa: F401 - fixtures used below
from tests.orders.factories import VolunteerFactory, join
from xinfeng.orders.choices import OrderState
from xinfeng.orders.models import Order
from xinfeng.volunteers.models import HoursDispute, ServiceRecord

from .conftest import PHONE, login


@pytest.fixture
def phone_as(browser, live_server):
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
def test_leader_names_by_search_members_confirm_hours_confirmed_and_disputed(
    phone_as,
    world,  # noqa: F811
    build,  # noqa: F811
):
    w = world
    from tests.factories import UserFactory

    nurse = VolunteerFactory(
        name="周护士", home_region=w.tree.v1, skills=["医护"], user=UserFactory(username="nurse")
    )
    join(w.team_a, nurse)
    for i in range(146):  # a team of 150: the form must not list them all
        join(w.team_a, VolunteerFactory(name=f"队员{i:02d}", home_region=w.tree.v1))
    order = build(OrderState.DISPATCHED, dispatched_at=timezone.now() - timedelta(hours=3))
    order.assignments.all().delete()

    # 接单: the leader searches and ticks two members, two must confirm.
    leader = phone_as("leader_a")
    leader.goto(f"/orders/{order.pk}/")
    expect(leader.locator("#accept-members-options input[name=members]")).to_have_count(20)
    height = leader.evaluate("document.documentElement.scrollHeight")
    print(f"accept page on a 390 px phone, team of 150: {height} px")
    assert height < 4000  # the checkbox-per-member form was 10,913 px
    first = leader.locator("#accept-members-options .member-option").first
    expect(first).to_contain_text("周护士")
    expect(first).to_contain_text("医护")
    leader.check(f"input[name=members][value='{nurse.pk}']")
    leader.fill("#accept-members-q", "李队")
    li = leader.locator(f"#accept-members-options input[value='{w.member_a.pk}']")
    expect(li).to_be_visible()
    expect(leader.locator(f"#accept-members-options input[value='{nurse.pk}']")).to_be_checked()
    li.check()
    leader.fill("#members-needed", "2")
    leader.click("button:has-text('接单')")
    expect(leader.locator("h1 .badge")).to_have_text("已接单")
    # Start is blocked; the leader sees who has not answered.
    expect(leader.locator("#start-blocked")).to_contain_text("李队员")
    expect(leader.locator("#start-blocked")).to_contain_text("周护士")

    # The members answer on their phones, from the notification's link.
    for username in ("member_a", "nurse"):
        member = phone_as(username)
        member.goto("/notifications/")
        member.locator(
            f"form:has(input[name=next][value='/orders/{order.pk}/']) button"
        ).first.click()
        expect(member.locator("#invitation")).to_be_visible()
        member.click("#invitation button:has-text('我参加')")
        expect(member.locator(".messages")).to_contain_text("操作成功")
        if username == "member_a":
            leader.reload()
            expect(leader.locator("#start-blocked")).to_contain_text("周护士")
            expect(leader.locator("#start-blocked")).not_to_contain_text("李队员")

    leader.reload()
    leader.click("button:has-text('开始服务')")
    expect(leader.locator("h1 .badge")).to_have_text("服务中")

    # 完成服务: the buttons were pressed a minute apart; the leader gives the real hours.
    leader.fill("#id_report", "为两位老人量了血压、送药")
    leader.fill(f"#hours-{w.member_a.pk}", "2")
    leader.fill(f"#hours-{nurse.pk}", "0")
    leader.click("button:has-text('完成服务')")
    expect(leader.locator("#complete-error")).to_contain_text("相差较大")
    expect(leader.locator("#id_report")).to_have_value("为两位老人量了血压、送药")
    leader.fill(f"#reason-{w.member_a.pk}", "到场后才想起按开始")
    leader.fill(f"#reason-{nurse.pk}", "临时有急诊没去")
    leader.click("button:has-text('完成服务')")
    expect(leader.locator("h1 .badge")).to_have_text("待评价")
    expect(leader.locator("#h-members").locator("..")).to_contain_text("2.00 小时")
    record = ServiceRecord.objects.get()
    assert record.volunteer == w.member_a and record.hours == Decimal("2.00")
    assert Order.objects.get(pk=order.pk).state == OrderState.COMPLETED

    # The member sees the hours and disputes them.
    member = phone_as("member_a")
    member.goto("/volunteers/me/hours/")
    row = member.locator(f"#record-{record.pk}")
    expect(row).to_contain_text("2")
    row.locator("summary").click()
    row.locator("input[name=claimed_hours]").fill("2.5")
    row.locator("textarea[name=reason]").fill("还陪老人去了卫生院")
    row.locator("button[type=submit]").click()
    expect(member.locator(".messages")).to_contain_text("申诉已提交")
    expect(member.locator(f"#record-{record.pk} .dispute-status")).to_contain_text("待处理")
    assert member.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The leader settles it by a correction.
    leader.goto("/volunteers/me/hours/")
    leader.click("#disputes-to-resolve")
    dispute = HoursDispute.objects.get()
    card = leader.locator(f"#dispute-{dispute.pk}")
    expect(card).to_contain_text("还陪老人去了卫生院")
    card.locator("input[name=note]").fill("核实属实")
    card.locator("button:has-text('更正时长')").click()
    expect(leader.locator(".messages")).to_contain_text("申诉已处理")
    dispute.refresh_from_db()
    assert dispute.status == "upheld" and dispute.correction.hours == Decimal("0.50")
