"""Notifications and dispatch reasons are stored as message keys + parameters and read in
the reader's language: an English crawl of the inbox and of the dispatch page finds no
Chinese outside user content (titles, names, reasons people typed) and place names. Rows
from before keys are parsed back into keys; a key that cannot be rendered falls back to
the stored text."""

import html as htmlmod
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from xinfeng.accounts.models import User
from xinfeng.notifications.models import Notification
from xinfeng.notifications.services import notify
from xinfeng.notifications.texts import parse, render
from xinfeng.orders import services
from xinfeng.orders import texts as T
from xinfeng.orders.choices import OrderState
from xinfeng.orders.dispatch_explain import explanation_text
from xinfeng.orders.models import Order
from xinfeng.regions.models import Region
from xinfeng.volunteers.models import Team, Volunteer

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return htmlmod.unescape(page)


def chinese_left(page: str, allowed: list[str]) -> list[str]:
    """CJK runs in the visible text once user content and place names are taken out."""
    text = visible_text(page)
    for s in sorted({a for a in allowed if a}, key=len, reverse=True):
        text = text.replace(s, " ")
    return CJK.findall(text)


def user_content(world) -> list[str]:
    """What people wrote or named (shown as written in every language)."""
    out = [r.name for r in Region.objects.all()]
    out += [t.name for t in Team.objects.all()]
    out += [o.title for o in Order.objects.all()] + [o.address for o in Order.objects.all()]
    out += [o.contact_name for o in Order.objects.all()]
    out += [world.tree.st1.name, world.tree.inst1.name, world.project.name]
    out += [u.name for u in User.objects.all()] + [v.name for v in Volunteer.objects.all()]
    out += ["不顺路，请改派", "王队长队伍离得近", "王秀兰", "3 组"]  # typed by people
    # The language switcher names Chinese in Chinese; the brand's logo glyph.
    out += ["简体中文", "中文", "新"]
    return out


@pytest.fixture
def history(world, django_capture_on_commit_callbacks):
    """An order the resident placed, the operator approved, auto-dispatch sent to a team,
    the team let time out, and another team declined: every kind of system-written
    reason and notification the dispatch page and the inboxes show."""
    with django_capture_on_commit_callbacks(execute=True):
        order, _ = services.order_create(
            actor=world.resident,
            region=world.tree.v1,
            project=world.project,
            title="帮老人量血压",
            address="3 组",
            contact_name="王秀兰",
            contact_phone="13800000001",
        )
        services.order_approve(actor=world.operator, order=order)
        order.refresh_from_db()
        report = services.orders_auto_dispatch(actor=world.operator, orders=[order])
        assert len(report.dispatched) == 1
        Order.objects.filter(pk=order.pk).update(due_at=timezone.now() - timedelta(hours=1))
        assert services.handle_overdue(order.pk) == "timeout"
        order.refresh_from_db()
        services.order_dispatch(
            actor=world.operator, order=order, team=world.team_b, reason="王队长队伍离得近"
        )
        order.refresh_from_db()
        services.order_decline(actor=world.leader_b.user, order=order, reason="不顺路，请改派")
    order.refresh_from_db()
    assert order.state == OrderState.PENDING_DISPATCH
    return order


def test_the_inbox_reads_in_english(client, world, history):
    allowed = user_content(world)
    for user in (world.operator, world.resident, world.leader_a.user, world.leader_b.user):
        assert Notification.objects.filter(recipient=user).exists(), user
        client.force_login(user)
        page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert chinese_left(page, allowed) == [], user
        api = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
        for n in api["items"]:
            assert chinese_left(n["title"] + " " + n["body"], allowed) == [], n
    # The same rows read in Chinese for a Chinese reader.
    client.force_login(world.resident)
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "您的点单已受理：帮老人量血压" in page


def test_the_dispatch_page_reads_in_english(client, world, history):
    client.force_login(world.operator)
    page = client.get(f"/orders/{history.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="dispatch-form"' in page
    # The auto-dispatch reason and the timeout, written by the system, read in English.
    assert "Auto-dispatched (lowest total cost plan): " in page
    assert " km away" in page
    allowed = user_content(world)
    assert chinese_left(page, allowed) == []
    zh = client.get(f"/orders/{history.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "自动派单（总成本最低方案）" in zh and "队伍未在时限内接单" in zh


def test_the_explanation_is_one_sentence_in_either_language():
    facts = {
        "team": "水口村志愿服务队",
        "delivers": True,
        "category": None,
        "km": 1.5,
        "area": "village",
        "rating": 4.6,
        "response_h": 40 / 60,
        "load": 1,
        "capacity": 3,
    }
    with translation.override("zh-hans"):
        zh = explanation_text(facts)
    with translation.override("en"):
        en = explanation_text(facts)
    assert zh == (
        "水口村志愿服务队：承接该项目，距离 1.5 公里，本村队伍，近期评价 4.6，"
        "平均 40 分钟响应，在办 1/3 单"
    )
    assert en == (
        "水口村志愿服务队: delivers this project, 1.5 km away, a team of this village, "
        "recent rating 4.6, answers in 40 min on average, 1/3 orders in hand"
    )


def test_old_rows_are_read_back_into_keys_and_unknown_keys_fall_back(
    world, django_capture_on_commit_callbacks
):
    # A row written before keys: its Chinese text is parsed into the key and parameters.
    data = parse("“苏家垱乡志愿服务队”已接单：帮老人量血压")
    assert data == {
        "k": "orders.accepted",
        "p": {"team": "苏家垱乡志愿服务队", "t": "帮老人量血压"},
    }
    with translation.override("en"):
        assert "帮老人量血压" in render(data) and "已接单" not in render(data)
    assert parse("一段没人定义过的话") is None
    # A message that can no longer be rendered shows the text stored with it.
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.resident], title=T.APPROVED(t="帮老人量血压"))
    n = Notification.objects.get(recipient=world.resident)
    assert n.title == "您的点单已受理：帮老人量血压"  # stored in the default language
    n.title_msg = {"k": "orders.gone", "p": {}}
    with translation.override("en"):
        assert n.title_text == n.title
        n.title_msg = {"k": "orders.approved", "p": {}}  # parameters that no longer fit
        assert n.title_text == n.title


def test_the_migration_reads_rows_sent_before_keys_back_into_keys(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("xinfeng.notifications.migrations.0002_message_keys")
    old = Notification.objects.create(
        recipient=world.resident,
        title="您的点单已受理：帮老人量血压",
        body="我们正在为您安排志愿服务队。",
    )
    odd = Notification.objects.create(
        recipient=world.resident, title="系统维护通知", body="今晚停机"
    )
    migration.keys_from_old_text(apps, None)
    old.refresh_from_db()
    odd.refresh_from_db()
    assert old.title_msg == {"k": "orders.approved", "p": {"t": "帮老人量血压"}}
    assert old.body_msg == {"k": "orders.approved.body", "p": {}}
    assert (odd.title_msg, odd.body_msg) == (None, None)
    with translation.override("en"):
        assert "帮老人量血压" in old.title_text and "已受理" not in old.title_text
        assert not CJK.search(old.body_text)
        assert odd.title_text == "系统维护通知"  # kept as it was written
