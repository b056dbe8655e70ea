"""Issue 14 in the browser: staff declare a flood, call out the standby team, two
volunteers answer on a 390 px phone from the message in their inbox (one 来, one 不来),
the board updates without a reload, staff open a temporary station, check a volunteer in
and out, generate a sitrep PDF and close the incident."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.emergency.conftest import ew  # noqa: F401 - fixture used below
from xinfeng.emergency.models import Callout, Incident, Station, StationShift
from xinfeng.emergency.services.callouts import callout_send

from .conftest import PHONE, login


@pytest.mark.django_db(transaction=True)
def test_declare_call_out_answer_station_sitrep_close(browser, live_server, ew):  # noqa: F811
    staff_ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    staff = staff_ctx.new_page()
    login(staff, "owner")

    # Declare.
    staff.goto("/emergency/new/")
    staff.fill("input[name=title]", "水口村洪涝")
    staff.select_option("select[name=kind]", "flood")
    staff.select_option("select[name=level]", "2")
    staff.select_option("select[name=region]", str(ew.tree.t1.pk))
    staff.select_option("select[name=affected_regions]", [str(ew.tree.v1.pk)])
    staff.click("button[type=submit]")
    expect(staff.locator("h1")).to_contain_text("水口村洪涝")
    incident = Incident.objects.get(title="水口村洪涝")
    expect(staff.locator("[data-emergency-banner]")).to_contain_text("水口村洪涝")

    # Call out the standby team.
    staff.click("text=发起召集")
    form = staff.locator("form[data-form=callout]")
    form.locator("input[name=callout-title]").fill("江堤集合")
    form.locator("select[name=callout-teams]").select_option([str(ew.rescue.pk)])
    form.locator("button[type=submit]").click()
    expect(staff.locator("[data-count=queued]")).to_have_text("3")
    callout = Callout.objects.get(incident=incident)
    assert callout_send(callout.pk) == 3  # what the worker does
    expect(staff.locator("[data-count=sent]")).to_have_text("3", timeout=10000)
    staff.evaluate("window.__stillHere = true")

    # Two volunteers answer on their phones from the message in the inbox.
    for volunteer, answer in ((ew.a, "来"), (ew.b, "不来")):
        phone_ctx = browser.new_context(**PHONE, base_url=live_server.url)
        phone = phone_ctx.new_page()
        login(phone, volunteer.user.username)
        phone.goto("/notifications/")
        phone.locator("button.list-link", has_text="江堤集合").first.click()
        expect(phone.locator("h1")).to_have_text("应急召集")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.get_by_role("button", name=answer, exact=True).click()
        expect(phone.locator("[data-answer-state]")).to_contain_text(answer)
        phone_ctx.close()

    # The board updated in place (htmx polling, no reload).
    expect(staff.locator("[data-count=coming]")).to_have_text("1", timeout=10000)
    expect(staff.locator("[data-count=declined]")).to_have_text("1", timeout=10000)
    assert staff.evaluate("window.__stillHere") is True

    # Open the temporary station, check a volunteer in and out.
    staff.goto(f"/emergency/{incident.pk}/")
    staff.click("text=开设临时分站")
    form = staff.locator("form[data-form=station]")
    form.locator("input[name=station-name]").fill("水口村小学安置点分站")
    form.locator("select[name=station-region]").select_option(str(ew.tree.v1.pk))
    form.locator("button[type=submit]").click()
    expect(staff.locator("[data-station-status]")).to_have_text("开放中")
    station = Station.objects.get(incident=incident)
    check = staff.locator("form[data-form=check]")
    check.locator("input[name=check-number]").fill(ew.c.number)
    check.locator("button[value=checkin]").click()
    expect(staff.locator("tr[data-shift]")).to_have_count(1)
    StationShift.objects.filter(station=station).update(
        checked_in_at=timezone.now() - timedelta(hours=2)
    )
    check = staff.locator("form[data-form=check]")
    check.locator("input[name=check-number]").fill(ew.c.number)
    check.locator("button[value=checkout]").click()
    expect(staff.locator("tr[data-shift] td").nth(3)).to_contain_text("2")

    # A sitrep PDF.
    staff.goto(f"/emergency/{incident.pk}/")
    staff.click("text=生成态势报告")
    staff.locator("form[data-form=sitrep] textarea").fill("水位平稳")
    staff.locator("form[data-form=sitrep] button[type=submit]").click()
    link = staff.locator("a", has_text="PDF").first
    pdf = staff.request.get(link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # Close the incident.
    staff.locator("form[data-form=close] button[type=submit]").click()
    expect(staff.locator("[data-incident-status]")).to_have_text("已结束")
    expect(staff.locator("[data-emergency-banner]")).to_have_count(0)
    station.refresh_from_db()
    assert station.closed_at is not None
    staff_ctx.close()
