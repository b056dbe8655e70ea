"""Browser: 实践中心管理员 opens 数据上报, sees a dead letter with its error, retries it
(POST with the CSRF token) and the relay then delivers it to the receiver; an institute
admin gets 403."""

import pytest
from django.test import override_settings

from tests.e2e.conftest import login
from tests.factories import UserFactory, VolunteerFactory, grant
from tests.sync.conftest import receiver, sync_settings  # noqa: F401 - receiver is a fixture
from xinfeng.accounts.choices import Role
from xinfeng.sync.choices import OutboxStatus
from xinfeng.sync.models import OutboxRow
from xinfeng.sync.services.relay import Relay

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_center_staff_retry_a_dead_letter_in_the_browser(desktop_page, receiver, tree, owner):  # noqa: F811 - fixtures
    page = desktop_page
    with override_settings(XINFENG_SYNC=sync_settings(provincial_url=receiver.url)):
        receiver.mode = "400"
        v = VolunteerFactory(home_region=tree.v1, name="张晓燕")
        Relay(worker_id="e2e").run()
        row = OutboxRow.objects.get()
        assert row.status == OutboxStatus.DEAD
        grant(UserFactory(username="center"), Role.CENTER_ADMIN, tree.city)

        login(page, "owner")
        assert page.goto("/sync/").status == 403

        page.context.clear_cookies()
        login(page, "center")
        page.goto("/sync/")
        item = page.locator(f"[data-row='{row.pk}']")
        assert "HTTP 400" in item.inner_text()
        receiver.mode = "ok"
        item.get_by_role("button", name="重试").click()
        page.wait_for_load_state()
        assert page.locator("[data-dead-letters]").count() == 0
        assert "没有发送失败的记录。" in page.content()
        Relay(worker_id="e2e").run()
        row.refresh_from_db()
        assert row.status == OutboxStatus.SENT
        assert [r["body"]["external_id"] for r in receiver.received] == [v.number]
