"""Issue 19 in the browser, on the demo city: the center sees the townships' 2020 work-plan
progress, drills into 苏家垱乡, and finds an overdue task escalated to the city after the
worker's job ran (in-process); the map shows the demonstration sites and the township
missing one; the directory marks them."""

import pytest
from playwright.sync_api import expect

from xinfeng.demo.accounts import DEMO_PASSWORD
from xinfeng.notifications.models import Notification
from xinfeng.workplans.models import Designation, Task
from xinfeng.workplans.selectors import current_year, holding_q
from xinfeng.workplans.tasks import enforce_workplan_deadlines

from .conftest import login

WAIT = 20_000
TASK = "水口村实践站整合村广播室并上墙公示制度"


@pytest.mark.django_db(transaction=True)
def test_center_sees_progress_and_an_escalated_task_and_the_map_shows_demo_sites(
    demo_city, desktop_page
):
    counts = enforce_workplan_deadlines.call()  # the worker's periodic job, in-process
    assert counts.get("escalate", 0) > 0
    center = demo_city.users["center"]
    assert Notification.objects.filter(recipient=center, kind="workplan_escalated").exists()

    page = desktop_page
    login(page, "center", DEMO_PASSWORD)
    page.goto("/workplans/progress/?year=2020")
    table = page.get_by_test_id("progress-table")
    row = table.locator("tr[data-region=苏家垱乡]")
    expect(row.locator("progress").first).to_be_visible(timeout=WAIT)
    expect(row).to_contain_text("逾期")
    # Drill down into the township: its villages, 水口村 with its own plan.
    row.get_by_role("link", name="苏家垱乡").click()
    expect(page.locator("h1")).to_contain_text("苏家垱乡", timeout=WAIT)
    expect(page.get_by_test_id("progress-table").locator("tr[data-region=水口村]")).to_contain_text(
        "完成"
    )
    page.get_by_role("link", name="苏家垱乡2020年新时代文明实践中心（所、站）建设工作方案").click()
    page.get_by_label("状态").select_option("overdue")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=TASK).click()
    expect(page.get_by_test_id("task-status")).to_have_text("已逾期", timeout=WAIT)
    expect(page.get_by_test_id("task-escalated")).to_contain_text("共青城市")
    expect(page.get_by_test_id("task-events").locator("[data-kind=escalated]")).to_have_count(1)
    task = Task.objects.get(title=TASK)
    assert task.escalated_to == demo_city.city
    # The center's inbox has the escalation.
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("下级工作任务逾期未完成", timeout=WAIT)

    # The map: one marker per demonstration site holding this year, and 苏家垱乡 lacking one.
    holding = Designation.objects.filter(holding_q(current_year())).count()
    assert holding == 11
    page.goto("/insights/map/")
    layer = page.locator("input[data-layer-key=demo]")
    expect(layer).to_have_attribute("data-count", str(holding), timeout=WAIT)
    expect(page.locator(".map-extra-demo")).to_have_count(holding)
    lacking = page.get_by_test_id("map-demo-lacking")
    expect(lacking).to_contain_text("苏家垱乡")
    expect(lacking.locator("li")).to_have_count(1)
    layer.uncheck()
    expect(page.locator(".map-extra-demo")).to_have_count(0)
    # The directory marks the kept one (水口村's station) as a demonstration site.
    kept = Designation.objects.get(township__name="苏家垱乡", status="active").site.name
    page.goto(f"/places/sites/?q={kept}")
    expect(page.locator(".list-item", has_text=kept).locator(".badge-demo")).to_be_visible(
        timeout=WAIT
    )
