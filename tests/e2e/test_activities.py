"""Activities in Chromium: a resident on a phone finds an activity near their village, signs
up, and the organiser sees the sign-up on the activity's management page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import RegionFactory, SiteFactory, TeamFactory
from xinfeng.activities import services
from xinfeng.activities.models import Activity
from xinfeng.regions.choices import RegionLevel

from .conftest import login


def _activity(owner, site, title, hours=48):
    start = (timezone.localtime() + timedelta(hours=hours)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    activity = services.activity_create(
        actor=owner,
        site=site,
        title=title,
        category="health",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=30,
    )
    return services.activity_publish(actor=owner, activity=activity)


@pytest.mark.django_db(transaction=True)
def test_resident_finds_activity_near_village_signs_up_and_organiser_sees_it(
    browser, live_server, tree, owner, resident
):
    resident.display_name = "王秀兰"
    resident.save()
    # 水口村 (tree.v1) and its station sit at 29.25, 115.80; a village 40 km away has its own.
    far_village = RegionFactory(
        name="远山村", level=RegionLevel.VILLAGE, parent=tree.t1, latitude=29.6, longitude=116.1
    )
    far_site = SiteFactory(name="远山村实践站", region=far_village, latitude=29.6, longitude=116.1)
    near = _activity(owner, tree.st1, "白衣天使乡村行义诊")
    _activity(owner, far_site, "远山村健康讲座")

    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    page = phone.new_page()
    login(page, "resident")
    page.goto("/activities/")
    expect(page.locator("h1")).to_have_text("文明实践活动")
    rows = page.locator("#rows .list-item")
    expect(rows).to_have_count(2)
    page.select_option("#f-near", label="水口村")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("白衣天使乡村行义诊")
    expect(rows.first).to_contain_text("0 米")
    assert "near=" in page.url  # the filter is in the address, shareable
    rows.first.click()
    expect(page.locator("h1")).to_have_text("白衣天使乡村行义诊")
    page.get_by_role("button", name="我要报名").click()
    expect(page.locator("#take-part")).to_contain_text("您已报名成功")
    # Nothing on the phone page overflows sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    phone.close()

    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    page = desk.new_page()
    login(page, "owner")
    page.goto(f"/activities/{near.pk}/manage/")
    signups = page.locator("#signups")
    expect(signups).to_contain_text("王秀兰")
    expect(signups).to_contain_text("已报名")
    expect(page.locator("#n-signups")).to_have_text("1")
    desk.close()


@pytest.mark.django_db(transaction=True)
def test_near_me_uses_the_browser_location(browser, live_server, tree, owner):
    far_village = RegionFactory(
        name="远山村", level=RegionLevel.VILLAGE, parent=tree.t1, latitude=29.6, longitude=116.1
    )
    far_site = SiteFactory(name="远山村实践站", region=far_village, latitude=29.6, longitude=116.1)
    _activity(owner, tree.st1, "身边的读书会")
    _activity(owner, far_site, "远山村健康讲座")
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        locale="zh-CN",
        base_url=live_server.url,
        geolocation={"latitude": 29.2507, "longitude": 115.8003},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto("/activities/")
    rows = page.locator("#rows .list-item")
    expect(rows).to_have_count(2)
    page.get_by_role("button", name="用我的位置").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("身边的读书会")
    expect(rows.first).to_contain_text("米")
    assert "lat=29.2507" in page.url
    context.close()


@pytest.mark.django_db(transaction=True)
def test_organiser_picks_site_and_team_by_searching_on_a_phone(phone_page, tree, owner):
    """A city admin's scope may hold ~12,000 teams: the form lists a few and searches the
    rest (htmx); the picked radio is what the form posts."""
    for i in range(25):  # township teams sort first and fill the first page of the list
        TeamFactory(name=f"乡队{i:02d}", home_site=tree.inst1, region=tree.t1)
    wanted = TeamFactory(name="水口村宣讲队", home_site=tree.st1, region=tree.v1)
    TeamFactory(name="江益镇宣讲队", home_site=tree.inst2, region=tree.t2)  # out of scope
    page = phone_page
    login(page, "owner")
    page.goto("/activities/manage/new/")
    page.locator(f"#id_site_options input[value='{tree.st1.pk}']").check()
    team = page.locator(f"#id_team_options input[value='{wanted.pk}']")
    expect(team).to_have_count(0)
    page.fill("#id_team", "宣讲")
    expect(team).to_be_visible()
    expect(page.locator("#id_team_options")).not_to_contain_text("江益镇宣讲队")
    team.check()
    start = (timezone.localtime() + timedelta(days=3)).replace(hour=10, minute=0)
    page.fill("#id_title", "理论宣讲进村")
    page.select_option("#id_category", "theory")
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_capacity", "30")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("活动已创建")
    activity = Activity.objects.get(title="理论宣讲进村")
    assert (activity.site_id, activity.team_id) == (tree.st1.pk, wanted.pk)
