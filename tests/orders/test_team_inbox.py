"""The team inbox (接单) page: what each tab shows to a leader and to a named member, its
pages, and the statements it costs (#18: a signed-in personal page within 5 ms)."""

import re

import pytest

from xinfeng.orders.choices import AssignmentStatus, OrderState
from xinfeng.orders.models import OrderAssignment
from xinfeng.orders.views._common import PAGE
from xinfeng.regions.choices import RegionLevel

from ..factories import RegionFactory

pytestmark = pytest.mark.django_db


def _ids(client, url) -> set[int]:
    resp = client.get(url)
    assert resp.status_code == 200
    return {int(i) for i in re.findall(r'href="/orders/(\d+)/"', resp.content.decode())}


def test_each_tab_shows_the_leaders_and_the_named_members_orders(client, world, build):
    w = world
    dispatched = build(OrderState.DISPATCHED)
    other_team = build(OrderState.DISPATCHED, team=w.team_c)
    open_here = build(OrderState.PENDING_DISPATCH, is_open=True)
    open_far = build(OrderState.PENDING_DISPATCH, is_open=True, region=w.tree.v2)
    doing = build(OrderState.IN_SERVICE)
    done = build(OrderState.COMPLETED)
    invited = build(OrderState.ACCEPTED)
    OrderAssignment.objects.filter(order=invited).update(status=AssignmentStatus.INVITED)

    client.force_login(w.leader_a.user)
    assert _ids(client, "/orders/team/") == {dispatched.pk}
    assert _ids(client, "/orders/team/?tab=open") == {open_here.pk}
    assert _ids(client, "/orders/team/?tab=doing") == {doing.pk, invited.pk}
    assert _ids(client, "/orders/team/?tab=done") == {done.pk}
    assert other_team.pk not in _ids(client, "/orders/team/?tab=doing")
    assert open_far.pk not in _ids(client, "/orders/team/?tab=open")

    client.force_login(w.member_a.user)  # named for one, leads no team
    assert _ids(client, "/orders/team/") == {invited.pk}
    assert _ids(client, "/orders/team/?tab=open") == set()

    client.force_login(w.leader_c.user)  # the other side of the city
    assert _ids(client, "/orders/team/") == {other_team.pk}
    assert _ids(client, "/orders/team/?tab=open") == {open_far.pk}


def test_a_full_first_page_has_a_pager_and_one_that_fits_has_none(client, world, build):
    orders = [build(OrderState.DISPATCHED) for _ in range(PAGE)]
    client.force_login(world.leader_a.user)
    html = client.get("/orders/team/").content.decode()
    assert "第 1 / 1 页" not in html and 'class="pager"' not in html
    assert _ids(client, "/orders/team/") == {o.pk for o in orders}

    orders.append(build(OrderState.DISPATCHED))
    html = client.get("/orders/team/").content.decode()
    assert "第 1 / 2 页" in html
    newest = sorted(o.pk for o in orders)[1:]
    assert _ids(client, "/orders/team/") == set(newest)
    assert _ids(client, "/orders/team/?page=1") == set(newest)
    assert _ids(client, "/orders/team/?page=2") == {min(o.pk for o in orders)}
    assert "第 2 / 2 页" in client.get("/orders/team/?page=2").content.decode()
    assert _ids(client, "/orders/team/?page=x") == set(newest)  # not a number: page 1


def test_a_new_or_moved_village_counts_for_the_leaders_area_at_once(client, world, build):
    """The area's region ids are cached (xinfeng.regions.subtrees): a region saved or moved
    retires them, so the open tab follows the tree without waiting for the cache."""
    w = world
    client.force_login(w.leader_a.user)  # team A serves 水口村 (v1) only
    assert _ids(client, "/orders/team/?tab=open") == set()
    grown = RegionFactory(
        name="新村", code="360482201299", level=RegionLevel.VILLAGE, parent=w.tree.v1
    )
    order = build(OrderState.PENDING_DISPATCH, is_open=True, region=grown)
    assert _ids(client, "/orders/team/?tab=open") == {order.pk}
    grown.parent = w.tree.v2
    grown.save()
    assert _ids(client, "/orders/team/?tab=open") == set()
    client.force_login(w.leader_c.user)
    assert _ids(client, "/orders/team/?tab=open") == {order.pk}


def test_the_team_inbox_costs_six_statements_when_its_orders_fit_on_a_page(
    client, world, build, django_assert_max_num_queries
):
    """Session, user, the leader's memberships (leads which teams and visibility: one read),
    roles (menu and scope), orders named for, the page's rows: the team area's regions are
    cached, and no COUNT while the rows fit on the first page (was 9 before #18). My
    orders: 4."""
    build(OrderState.DISPATCHED)
    client.force_login(world.leader_a.user)
    client.get("/orders/team/")  # the menu's cached answers
    with django_assert_max_num_queries(6):
        assert client.get("/orders/team/").status_code == 200
    client.force_login(world.resident)
    client.get("/orders/mine/")
    with django_assert_max_num_queries(4):  # session, user, rows, roles (was 5 with COUNT)
        assert client.get("/orders/mine/").status_code == 200
