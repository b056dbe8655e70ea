"""Browser tests of the volunteer pages in Chromium: registering on a phone, the staff
import with its live progress bar, joining a team, and redeeming points."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import UserFactory
from tests.volunteers.factories import RewardFactory, TeamFactory, VolunteerFactory, make_id, member
from xinfeng.core.models import AuditEvent
from xinfeng.volunteers.choices import MembershipRole
from xinfeng.volunteers.models import Team, Volunteer
from xinfeng.volunteers.services.imports import COLUMNS
from xinfeng.volunteers.services.ledger import service_record_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_registers_on_a_phone_and_sees_masked_phone(phone_page, tree):
    page = phone_page
    # A visitor is sent to sign up first (one flow, one account); here they have signed up.
    page.goto("/volunteers/register/")
    expect(page.locator("h1")).to_have_text("注册")
    UserFactory(username="zhao", phone="13977776666", home_region=tree.v1)
    login(page, "zhao")
    page.goto("/volunteers/register/")
    expect(page.locator("h1")).to_have_text("志愿者登记")
    page.fill("input[name=name]", "赵思琪")
    good = make_id(seq=42)
    page.fill("input[name=id_number]", good[:-1] + ("0" if good[-1] != "0" else "1"))
    page.fill("input[name=phone]", "13977776666")
    # The village picker searches as you type; Enter searches instead of submitting.
    with page.expect_response(lambda r: "/places/pick/regions/" in r.url):
        page.fill("#id_home_region", "水口")
    with page.expect_response(lambda r: "/places/pick/regions/" in r.url):
        page.press("#id_home_region", "Enter")
    expect(page.locator(".form-error")).to_have_count(0)
    page.get_by_label("苏家垱乡 · 水口村").check()
    page.check("input[name=privacy]")
    page.click("button[type=submit]")
    # A wrong check digit is refused with a clear message and nothing is saved.
    expect(page.locator(".form-error")).to_contain_text("校验位不正确")
    assert not Volunteer.objects.exists()
    page.fill("input[name=id_number]", make_id(seq=42))
    page.check("input[name=privacy]")
    page.click("button[type=submit]")
    expect(page.locator(".vol-number")).to_have_text(Volunteer.objects.get().number)
    expect(page.locator("#phone-value")).to_have_text("139****6666")
    page.click("text=显示")
    expect(page.locator(".revealed")).to_have_text("13977776666")
    assert AuditEvent.objects.filter(action="personal_data_viewed").count() == 1
    # The page fits a phone: nothing wider than the viewport.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_staff_import_shows_live_progress_and_rejects(desktop_page, tree, owner, live_server):
    wb = Workbook()
    ws = wb.active
    ws.append([str(label) for _f, label, _r in COLUMNS])
    fields = [f for f, _l, _r in COLUMNS]
    rows = [
        {
            "name": "孙建",
            "id_number": make_id(seq=501),
            "phone": "13900000501",
            "privacy_consent": "是",
        },
        {"name": "孙坏", "id_number": "12345", "phone": "13900000502", "privacy_consent": "是"},
    ]
    for row in rows:
        ws.append([row.get(f, "") for f in fields])
    buf = io.BytesIO()
    wb.save(buf)

    page = desktop_page
    login(page, "owner")
    page.goto("/volunteers/manage/imports/")
    # The region is picked by searching (a province has ~20,000), not from a select.
    with page.expect_response(lambda r: "/places/pick/regions/" in r.url):
        page.fill("#id_region", "苏家垱")
    page.get_by_label("共青城市 · 苏家垱乡").check()
    page.set_input_files(
        "input[name=file]",
        files=[
            {"name": "名单.xlsx", "mimeType": "application/octet-stream", "buffer": buf.getvalue()}
        ],
    )
    page.click("button[type=submit]")
    expect(page.locator("#import-progress")).to_contain_text("排队中")
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    # The bar polls by itself (htmx) and shows the result without a reload.
    expect(page.locator(".import-result")).to_contain_text(
        "导入 1 名志愿者，1 行未导入", timeout=10000
    )
    expect(page.locator("#import-progress")).to_contain_text("居民身份证号码应为 18 位")
    with page.expect_download() as dl:
        page.click("text=下载未导入的行")
    assert dl.value.suggested_filename.endswith("-rejected.xlsx")


def test_join_a_team_and_leader_approves(browser, live_server, tree):
    team = TeamFactory(home_site=tree.st1, name="水口村志愿服务队")
    leader = VolunteerFactory(home_region=tree.v1, user=UserFactory(username="duizhang"))
    member(team, leader, MembershipRole.LEADER)
    VolunteerFactory(home_region=tree.v1, name="新队员", user=UserFactory(username="xinren"))

    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url
    )
    page = ctx.new_page()
    login(page, "xinren")
    page.goto("/volunteers/teams/")
    page.click("text=水口村志愿服务队")
    page.click("button:has-text('申请加入')")
    expect(page.locator("#join")).to_contain_text("等待队长审核")
    ctx.close()

    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url
    )
    page = ctx.new_page()
    login(page, "duizhang")
    page.goto(f"/volunteers/teams/{team.pk}/")
    expect(page.locator("text=待审核的申请")).to_be_visible()
    page.click("button:has-text('通过')")
    expect(page.locator(".messages")).to_contain_text("已通过 新队员 的申请")
    ctx.close()


def test_volunteer_redeems_at_the_love_supermarket(phone_page, tree):
    v = VolunteerFactory(home_region=tree.v1, user=UserFactory(username="duihuan"))
    end = timezone.now() - timedelta(days=1)
    service_record_create(
        volunteer=v,
        region=tree.v1,
        started_at=end - timedelta(hours=6),
        ended_at=end,
        source_type="other",
    )
    RewardFactory(site=tree.st1, name="大米 5kg", points_cost=50, stock=1)
    page = phone_page
    login(page, "duihuan")
    page.goto("/volunteers/exchange/")
    expect(page.locator("#my-points")).to_have_text("60")
    page.click(".reward button:has-text('兑换')")
    expect(page.locator(".messages")).to_contain_text("兑换成功")
    expect(page.locator("#points-balance")).to_have_text("10")
    page.goto("/volunteers/exchange/")
    expect(page.locator(".reward button:has-text('兑换')")).to_be_disabled()


def test_staff_creates_a_team_picking_site_and_parent_by_search(desktop_page, tree, owner):
    for i in range(25):  # more than the picker lists before a search
        TeamFactory(home_site=tree.st1, name=f"水口村第{i:02d}队")
    county = TeamFactory(home_site=tree.center, name="共青城市志愿服务总队")
    page = desktop_page
    login(page, "owner")
    page.goto("/volunteers/teams/new/")
    page.fill("input[name=name]", "水口村巾帼志愿服务队")
    page.select_option("select[name=team_type]", "village")  # a short fixed list
    with page.expect_response(lambda r: "/volunteers/pick/sites/" in r.url):
        page.fill("#id_home_site", "水口村实践")
    page.get_by_label("水口村实践站（水口村）").check()
    with page.expect_response(lambda r: "/volunteers/pick/teams/" in r.url):
        page.fill("#id_parent", "总队")
    # Enter searches, it does not submit the half-filled form.
    with page.expect_response(lambda r: "/volunteers/pick/teams/" in r.url):
        page.press("#id_parent", "Enter")
    expect(page.locator("#id_parent_options .picker-option")).to_have_count(2)  # + none
    page.get_by_label("共青城市志愿服务总队（共青城市）").check()
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("水口村巾帼志愿服务队")
    team = Team.objects.get(name="水口村巾帼志愿服务队")
    assert team.parent == county and team.home_site == tree.st1
