"""Issue 11 on activities, from the people's side: a volunteer checks in early and out on
a 390 px phone and is told the hours wait for the organiser; the organiser, on a desktop,
sees the hours counted from the start (not from the early check-in) and confirms them; the
volunteer then sees what was credited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import UserFactory
from xinfeng.activities import services
from xinfeng.activities.models import Activity, Attendance
from xinfeng.volunteers.models import ServiceRecord, Volunteer

from .conftest import PHONE, login


@pytest.mark.django_db(transaction=True)
def test_volunteer_checks_in_early_and_the_organiser_confirms_clipped_hours(
    browser, live_server, tree, owner
):
    start = timezone.now() + timedelta(minutes=30)
    activity = services.activity_create(
        actor=owner,
        site=tree.st1,
        title="河道清理志愿服务",
        category="environment",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=30,
    )
    activity = services.activity_publish(actor=owner, activity=activity)
    user = UserFactory(username="vol1", home_region=tree.v1, display_name="刘志愿")
    Volunteer.objects.create(user=user, number="ZY2026000901", name="刘志愿", home_region=tree.v1)

    phone = browser.new_context(**PHONE, base_url=live_server.url)
    page = phone.new_page()
    login(page, "vol1")
    page.goto(f"/activities/{activity.pk}/")
    page.fill("#c-code", activity.checkin_code)
    page.click("#check button:has-text('签到')")
    expect(page.locator("#check")).to_contain_text("签到")
    # Time passes: they came 30 minutes before the start, which was two hours ago.
    started = timezone.now() - timedelta(hours=2)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=started, ends_at=started + timedelta(hours=3)
    )
    Attendance.objects.filter(user=user).update(checked_in_at=started - timedelta(minutes=30))
    page.goto(f"/activities/{activity.pk}/")
    page.fill("#c-code", activity.checkin_code)
    page.click("#check button:has-text('签退')")
    expect(page.locator("#hours-status")).to_contain_text("待组织者确认")
    assert not ServiceRecord.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    org = desk.new_page()
    login(org, "owner")
    org.goto(f"/activities/{activity.pk}/manage/")
    section = org.locator("#hours")
    expect(section).to_contain_text("刘志愿")
    field = section.locator("input[type=number]")
    value = Decimal(field.input_value())
    assert Decimal("1.99") <= value <= Decimal("2.01")  # from the start, not 2.5 h
    section.locator("button:has-text('确认时长')").click()
    expect(org.locator(".messages")).to_contain_text("服务时长已确认")
    expect(org.locator("#hours")).to_have_count(0)
    record = ServiceRecord.objects.get()
    assert record.hours == value and record.verified_by == owner

    page.goto(f"/activities/{activity.pk}/")
    expect(page.locator("#hours-status")).to_contain_text(f"已计服务时长 {value} 小时")
    phone.close()
    desk.close()
