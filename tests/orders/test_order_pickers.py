"""The order pages pick the village (and the staff's site) by searching: at province scale
(~20,000 regions, ~100,000 sites) the page never lists whole tables, the resident's home
village is preselected, and the server still refuses a crafted id with a form error."""

import html as htmllib
import re

import pytest

from tests.factories import RegionFactory
from xinfeng.orders.models import Order
from xinfeng.regions.choices import RegionLevel

pytestmark = pytest.mark.django_db

VILLAGES = "village,natural_village"


def _radios(html: str, name: str) -> list[int]:
    return [int(v) for v in re.findall(rf'type="radio" name="{name}" value="(\d+)"', html)]


def _checked(html: str, name: str) -> int | None:
    m = re.search(rf'type="radio" name="{name}" value="(\d+)" checked', html)
    return int(m.group(1)) if m else None


@pytest.fixture
def many_villages(tree):
    """More villages than the picker shows at once (it lists 20, then asks to search)."""
    return [
        RegionFactory(
            name=f"新屋{i:02d}村",
            code=f"36048220{i:04d}",
            level=RegionLevel.VILLAGE,
            parent=tree.t1,
        )
        for i in range(30)
    ]


def test_resident_page_lists_a_few_villages_with_home_preselected(client, world, many_villages):
    client.force_login(world.resident)
    html = client.get("/orders/new/").content.decode()
    radios = _radios(html, "region")
    assert _checked(html, "region") == world.tree.v1.pk
    assert len(radios) <= 21  # the chosen one and 20 candidates, not every village
    assert not {r.pk for r in many_villages} <= set(radios)
    assert "只显示前 20 项" in html
    # Only villages: the township and the county are not places to order for.
    assert world.tree.t1.pk not in radios and world.tree.t2.pk not in radios
    assert 'hx-get="/places/pick/regions/"' in html
    assert '"scope": "public"' in htmllib.unescape(html)


def test_resident_searches_picks_and_orders(client, world, many_villages):
    client.force_login(world.resident)
    frag = client.get(
        "/places/pick/regions/",
        {"field": "region", "scope": "public", "levels": VILLAGES, "q": "新屋07"},
    ).content.decode()
    assert _radios(frag, "region") == [many_villages[7].pk]
    resp = client.post(
        "/orders/new/", {"region": many_villages[7].pk, "title": "帮忙修水管", "address": "1 组"}
    )
    assert resp.status_code == 302, resp.content[:800]
    assert Order.objects.get().region == many_villages[7]


@pytest.mark.parametrize("bad", ["township", "missing", "abc", "huge", "empty"])
def test_crafted_region_is_a_form_error(client, world, bad):
    value = {
        "township": world.tree.t1.pk,
        "missing": 987654321,
        "abc": "abc",
        "huge": str(2**70),
        "empty": "",
    }[bad]
    client.force_login(world.resident)
    resp = client.post("/orders/new/", {"region": value, "title": "帮忙修水管"})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "请从搜索结果中选择所在村（社区）" in html or "这个字段是必填项" in html
    assert not Order.objects.exists()


def test_staff_page_is_scoped_to_their_area(client, world):
    tree = world.tree
    client.force_login(world.operator)
    html = client.get("/orders/new/staff/").content.decode()
    assert _radios(html, "region") == [tree.v1.pk]  # the operator's village only
    assert tree.v2.pk not in _radios(html, "region")
    sites = _radios(html, "site")
    assert tree.st1.pk in sites and tree.inst2.pk not in sites and tree.inst1.pk not in sites
    assert 'hx-get="/volunteers/pick/sites/"' in html
    assert '"scope": "staff"' in htmllib.unescape(html)
    # The search endpoint offers the same scope.
    frag = client.get(
        "/places/pick/regions/", {"field": "region", "scope": "staff", "levels": VILLAGES}
    ).content.decode()
    assert _radios(frag, "region") == [tree.v1.pk]


@pytest.mark.parametrize("field", ["region", "site"])
def test_staff_crafted_out_of_scope_id_is_a_form_error(client, world, field):
    tree = world.tree
    data = {"channel": "site", "site": tree.st1.pk, "region": tree.v1.pk, "title": "清理河道"}
    data[field] = tree.v2.pk if field == "region" else tree.inst2.pk
    client.force_login(world.operator)
    resp = client.post("/orders/new/staff/", data)
    assert resp.status_code == 400
    assert "不在您的管理范围内" in resp.content.decode()
    assert not Order.objects.exists()
