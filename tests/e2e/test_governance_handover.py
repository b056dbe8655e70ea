"""Issue 19 in the browser: a township admin records the handover of a village station's
responsible person on the page; the successor signs in, finds the handover (我的 → 工作交接)
and sees what was open at the site (an order still moving, an activity to come)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import UserFactory, grant
from tests.governance.factories import term
from tests.orders.factories import make_order
from xinfeng.accounts.choices import Role
from xinfeng.activities.models import Activity
from xinfeng.governance.models import Handover

from .conftest import login


@pytest.mark.django_db(transaction=True)
def test_township_admin_records_a_handover_and_the_successor_sees_the_open_items(
    desktop_page, tree
):
    grant(UserFactory(username="t1-admin"), Role.INSTITUTE_ADMIN, tree.t1)
    term(tree.st1, UserFactory(display_name="老书记"), post="村党支部书记")
    UserFactory(username="new-secretary", display_name="新书记", phone="13900007777")
    make_order(region=tree.v1, site=tree.st1, title="帮独居老人修水管", state="pending_dispatch")
    now = timezone.now()
    Activity.objects.create(
        title="重阳节敬老宴",
        category="theory",
        site=tree.st1,
        region=tree.v1,
        state="published",
        starts_at=now + timedelta(days=4),
        ends_at=now + timedelta(days=4, hours=2),
        capacity=40,
    )
    page = desktop_page
    login(page, "t1-admin")
    page.goto("/governance/")
    page.click("text=水口村实践站")
    expect(page.locator("[data-testid=current-responsible]")).to_contain_text("老书记")
    form = page.locator("#handover-form")
    form.locator("[name=successor]").fill("13900007777")
    form.locator("[name=on]").fill(timezone.localdate().isoformat())
    form.locator("[name=note]").fill("换届交接：台账、钥匙已移交")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=successor]")).to_have_text("新书记")
    expect(page.locator("[data-testid=open-items]")).to_contain_text("帮独居老人修水管")
    assert Handover.objects.get().successor.username == "new-secretary"

    page.context.clear_cookies()
    login(page, "new-secretary")
    page.goto("/accounts/me/")
    page.click("text=工作交接")
    page.click("text=水口村实践站")
    items = page.locator("[data-testid=open-items]")
    expect(items).to_contain_text("帮独居老人修水管")
    expect(items).to_contain_text("重阳节敬老宴")
    expect(page.locator("body")).to_contain_text("换届交接：台账、钥匙已移交")
