"""Forms that do not let people walk into errors, from their side: an organiser (desktop)
cannot plan an activity in the past and sees only the actions the activity allows, with
cancelling folded away; a resident ordering on a 390 px phone sets the place with one
button at the top, never typing latitude or longitude."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.activities.conftest import soon
from tests.orders.conftest import build, world  # noqa: F401 - fixtures used below
from xinfeng.activities import services
from xinfeng.orders.models import Order

from .conftest import PHONE, login

FMT = "%Y-%m-%dT%H:%M"


@pytest.mark.django_db(transaction=True)
def test_organiser_cannot_plan_in_the_past_and_sees_only_allowed_actions(desktop_page, tree, owner):
    page = desktop_page
    login(page, "owner")
    page.goto("/activities/manage/new/")
    # The date picker offers no past start.
    assert page.locator("#id_starts_at").get_attribute("min") <= timezone.localtime().strftime(FMT)
    # Typed anyway (or with a stale page): the error is at the start field.
    past = timezone.localtime() - timedelta(hours=2)
    page.evaluate("document.querySelector('#id_starts_at').removeAttribute('min')")
    page.evaluate("document.querySelector('#id_ends_at').removeAttribute('min')")
    page.locator(f"#id_site_options input[value='{tree.st1.pk}']").check()
    page.fill("#id_title", "过去的讲座")
    page.select_option("#id_category", "theory")
    page.fill("#id_starts_at", past.strftime(FMT))
    page.fill("#id_ends_at", (past + timedelta(hours=1)).strftime(FMT))
    page.fill("#id_capacity", "20")
    page.click("form.form button[type=submit]")
    field = page.locator(".field.has-error", has=page.locator("#id_starts_at"))
    expect(field).to_contain_text("开始时间已过，请选择将来的时间。")

    # A published activity that has not started: no 结束活动 / 活动报道; cancel is folded.
    start = soon()
    activity = services.activity_create(
        actor=owner,
        site=tree.st1,
        title="防诈骗讲座",
        category="theory",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=30,
    )
    services.activity_publish(actor=owner, activity=activity)
    page.goto(f"/activities/{activity.pk}/manage/")
    expect(page.get_by_role("button", name="结束活动")).to_have_count(0)
    expect(page.get_by_role("link", name="活动报道")).to_have_count(0)
    expect(page.get_by_text("活动开始后可以结束活动、撰写活动报道。")).to_be_visible()
    cancel = page.get_by_role("button", name="确认取消活动")
    expect(cancel).to_be_hidden()
    page.get_by_text("取消活动…").click()
    expect(cancel).to_be_visible()
    box = cancel.bounding_box()
    assert box["width"] < 400  # not a full-width red bar


@pytest.mark.django_db(transaction=True)
def test_resident_sets_the_place_with_one_button_on_a_phone(browser, live_server, world):  # noqa: F811
    w = world
    context = browser.new_context(
        **PHONE,
        base_url=live_server.url,
        geolocation={"latitude": 29.2501, "longitude": 115.8002},
        permissions=["geolocation"],
    )
    page = context.new_page()
    try:
        login(page, "resident")
        page.goto(f"/orders/new/?project={w.project.pk}")
        # No number fields for coordinates; the location button comes before the fields.
        expect(page.locator("input[name=latitude]")).to_have_attribute("type", "hidden")
        expect(page.locator("input[name=longitude]")).to_have_attribute("type", "hidden")
        expect(page.get_by_text("纬度", exact=True)).to_have_count(0)
        button = page.get_by_role("button", name="使用我当前的位置")
        first_field = page.locator("#id_project")
        assert button.bounding_box()["y"] < first_field.bounding_box()["y"]
        button.click()
        expect(page.locator("#location-status")).to_have_text("已获取您的位置。")
        expect(page.get_by_role("button", name="清除位置")).to_be_visible()
        page.fill("#id_address", "水口村 3 组 12 号")
        page.fill("#id_description", "家里两位老人想量血压")
        page.click("form.form button[type=submit]")
        expect(page.locator("h1 .badge")).to_have_text("待审核")
        order = Order.objects.get()
        assert (round(order.latitude, 4), round(order.longitude, 4)) == (29.2501, 115.8002)
    finally:
        context.close()
