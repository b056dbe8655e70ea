"""The order pages, end to end through Django's client: each screen in Chinese, each move
made with the page's own form, refusals shown as messages, strangers get 404."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xinfeng.orders.choices import OrderState
from xinfeng.orders.models import FollowUp, Order

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _follow(client, url, data=None, **kw):
    resp = client.post(url, data or {}, follow=True, **kw)
    assert resp.status_code == 200, resp.content[:500]
    return resp.content.decode()


def test_the_whole_flow_through_the_pages(client, world):
    w = world
    _as(client, w.resident)
    form = client.get(f"/orders/new/?project={w.project.pk}").content.decode()
    assert "我要点单" in form and "白衣天使乡村行" in form
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form).group(1)
    html = _follow(
        client,
        "/orders/new/",
        {
            "project": w.project.pk,
            "region": w.tree.v1.pk,
            "address": "3 组",
            "idempotency_key": key,
        },
    )
    assert "点单已提交" in html and "待审核" in html
    order = Order.objects.get()
    # A double submit of the same form makes no second order.
    _follow(
        client,
        "/orders/new/",
        {"project": w.project.pk, "region": w.tree.v1.pk, "idempotency_key": key},
    )
    assert Order.objects.count() == 1
    assert "白衣天使乡村行" in client.get("/orders/mine/").content.decode()

    _as(client, w.operator)
    queue = client.get("/orders/queue/").content.decode()
    assert "派单台" in queue and f"/orders/{order.pk}/" in queue
    assert "审核通过" in client.get(f"/orders/{order.pk}/").content.decode()
    _follow(client, f"/orders/{order.pk}/approve/")
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "派给哪支队伍" in page and w.team_a.name in page
    html = _follow(
        client, f"/orders/{order.pk}/dispatch/", {"team": w.team_a.pk, "reason": "本村卫生队"}
    )
    assert "已派单" in html and "本村卫生队" in html

    _as(client, w.leader_a.user)
    assert f"/orders/{order.pk}/" in client.get("/orders/team/").content.decode()
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "接单" in page and "李队员" in page
    html = _follow(client, f"/orders/{order.pk}/accept/", {"members": [w.member_a.pk]})
    assert "已接单" in html and "待确认" in html

    _as(client, w.member_a.user)
    html = _follow(client, f"/orders/{order.pk}/confirm/")
    assert "已确认" in html

    _as(client, w.leader_a.user)
    assert "服务中" in _follow(client, f"/orders/{order.pk}/start/")
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "JPEG")
    photo = SimpleUploadedFile("a.jpg", buf.getvalue(), content_type="image/jpeg")
    html = _follow(
        client,
        f"/orders/{order.pk}/complete/",
        # Start and completion a moment apart: the member's default is ~0 h; 0 = no record.
        {"report": "量了血压", "people_served": 3, "photos": photo, f"hours_{w.member_a.pk}": "0"},
    )
    assert "待评价" in html and "量了血压" in html and "<img" in html

    _as(client, w.resident)
    rate_page = client.get(f"/orders/{order.pk}/rate/").content.decode()
    assert "评价服务" in rate_page and "非常满意" in rate_page
    html = _follow(client, f"/orders/{order.pk}/rate/", {"level": 1, "comment": "来晚了"})
    assert "感谢您的评价" in html and "非常不满意" in html

    _as(client, w.operator)
    fu = FollowUp.objects.get(order=order)
    assert order.title in client.get("/orders/follow-ups/").content.decode()
    html = _follow(
        client, f"/orders/follow-ups/{fu.pk}/", {"outcome": "已上门致歉", "resolved": "on"}
    )
    assert "回访结果已记录" in html
    timeline = client.get(f"/orders/{order.pk}/").content.decode()
    for word in ("点单", "审核通过", "派单", "接单", "开始服务", "完成服务", "评价", "回访"):
        assert word in timeline


def test_a_refused_move_shows_its_message(client, world, build):
    order = build(OrderState.SUBMITTED)
    _as(client, world.operator)
    html = _follow(client, f"/orders/{order.pk}/reject/", {"reason": ""})
    assert "请填写驳回理由" in html
    assert Order.objects.get(pk=order.pk).state == OrderState.SUBMITTED


def test_strangers_get_404_on_order_pages(client, world, build):
    order = build(OrderState.SUBMITTED)
    _as(client, world.outsider)
    assert client.get(f"/orders/{order.pk}/").status_code == 404
    assert client.post(f"/orders/{order.pk}/approve/").status_code == 404
    assert client.get(f"/orders/{order.pk}/rate/").status_code == 404
    _as(client, world.resident)
    assert client.get("/orders/queue/").status_code == 404
    assert client.get("/orders/follow-ups/").status_code == 404


def test_order_form_shows_errors_in_chinese(client, world):
    _as(client, world.resident)
    resp = client.post("/orders/new/", {"region": world.tree.v1.pk, "title": ""})
    assert resp.status_code == 400
    assert "请选择服务项目，或简要写下您的需求" in resp.content.decode()


def test_staff_order_for_a_resident_page(client, world):
    _as(client, world.operator)
    page = client.get("/orders/new/staff/").content.decode()
    assert "代点单" in page
    html = _follow(
        client,
        "/orders/new/staff/",
        {
            "channel": "site",
            "site": world.tree.st1.pk,
            "open_for_grab": "on",
            "title": "清理河道",
            "region": world.tree.v1.pk,
            "contact_name": "村委",
        },
    )
    assert "待派单" in html
    order = Order.objects.get()
    assert order.state == OrderState.PENDING_DISPATCH and order.is_open
    _as(client, world.leader_b.user)
    assert f"/orders/{order.pk}/" in client.get("/orders/team/?tab=open").content.decode()
    html = _follow(client, f"/orders/{order.pk}/grab/", {"team": world.team_b.pk, "members": []})
    assert "已接单" in html


def test_dispatch_page_shows_ranked_suggestions_and_records_the_score(client, world, build):
    order = build(OrderState.PENDING_DISPATCH)
    _as(client, world.operator)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "按综合评分推荐" in page and "推荐 1" in page
    html = _follow(
        client, f"/orders/{order.pk}/dispatch/", {"team": world.team_a.pk, "reason": "推荐第一"}
    )
    assert "已派单" in html
    order.refresh_from_db()
    assert order.dispatch_score["engine"] == "suggested"
    assert {c["name"] for c in order.dispatch_score["components"]} >= {"distance", "category"}


def test_auto_dispatch_from_the_queue(client, world, build):
    orders = [build(OrderState.PENDING_DISPATCH) for _ in range(2)]
    _as(client, world.operator)
    html = _follow(client, "/orders/auto-dispatch/")
    assert "智能派单：已派 2 单" in html
    for o in orders:
        o.refresh_from_db()
        assert o.state == OrderState.DISPATCHED and o.dispatch_reason


def test_order_pages_in_english(client, world, build):
    order = build(OrderState.SUBMITTED)
    _as(client, world.operator)
    html = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # (A word shared with other catalogs may read differently: the project catalog wins.)
    assert "Order no." in html and "Approve" in html and "Timeline" in html
    assert "待审核" not in html and "办理记录" not in html
    html = client.get("/orders/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dispatch desk" in html
    html = client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Volunteer service projects designed" in html


def test_admin_lists_orders_and_projects_for_the_system_admin(client, world, build):
    build(OrderState.SUBMITTED)
    world.sysadmin.is_staff = world.sysadmin.is_superuser = True
    world.sysadmin.save()
    _as(client, world.sysadmin)
    for url in (
        "/admin/orders/order/",
        "/admin/projects/project/",
        "/admin/orders/followup/",
        "/admin/notifications/notification/",
    ):
        assert client.get(url).status_code == 200, url
    order = Order.objects.get()
    page = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200 and "帮忙体检" in page.content.decode()
