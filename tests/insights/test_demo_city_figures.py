"""On the seeded demo city (共青城市, the session's ``demo_city``):

* every headline figure the dashboard and the audience page show equals the sum of the
  breakdown shown under it (child regions plus the 市直 row, states, levels, types, months);
* home, the project menu and the dashboard count projects the same way;
* the offline map's outlines contain their own sites.

Each test runs in its own transaction over the city, rolled back afterwards.
"""

import re

import pytest

from xinfeng.accounts.models import User
from xinfeng.insights import map_data
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import PATH_SEGMENT, Region

TEAM_TYPES = ("general", "specialised", "mobile", "department", "village", "social")
ORDER_STATES = (
    "submitted",
    "pending_dispatch",
    "dispatched",
    "accepted",
    "in_service",
    "completed",
    "rated",
    "rejected",
    "cancelled",
)


@pytest.fixture
def city(demo_city):
    """The session's demo city (seeded and rolled up once, tests/conftest.py)."""
    return demo_city.city


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def _ranking_sums(html: str) -> tuple[dict, dict]:
    """Column sums of the ranking table's region rows (children + 市直) and its 合计 row."""
    table = html[html.index('id="rank-children"') :]
    table = table[: table.index("</table>")]
    body, foot = table.split("<tfoot>")
    sums: dict[int, float] = {}
    for row in re.findall(r'<tr (?:class="rank-own" )?data-region="[^"]+">(.*?)</tr>', body, re.S):
        cells = re.findall(r"<td>([^<]*)</td>", row)
        for i, cell in enumerate(cells[1:7]):  # sites … orders
            sums[i] = sums.get(i, 0) + _number(cell)
    total_cells = re.findall(r"<td>([^<]*)</td>", foot)[1:7]
    return sums, {i: _number(c) for i, c in enumerate(total_cells)}


def _kpi(html: str, key: str) -> float:
    m = re.search(rf'data-kpi="{key}"><span class="kpi-value">([^<]*)<', html)
    assert m, key
    return _number(m.group(1))


def test_every_dashboard_headline_is_the_sum_of_its_breakdown(api_as, client, city):
    leader = User.objects.get(username="leader")
    api = api_as(leader)
    regions = Region.objects.filter(path__startswith=city.path).exclude(
        level__in=(RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE)
    )
    checked_own = False
    for region in regions:
        body = api.get(f"/api/v1/insights/regions/{region.pk}/dashboard").json()
        f = body["figures"]
        levels = ("center", "institute", "station", "point")
        assert f["sites_total"] == sum(f[f"sites_{lv}"] for lv in levels), region.name
        assert f["teams_total"] == sum(f[f"teams_{t}"] for t in TEAM_TYPES), region.name
        assert f["orders_total"] == sum(f[f"orders_{s}"] for s in ORDER_STATES), region.name
        assert f["audience_total"] == f["audience_online"] + f["audience_offline"]
        assert f["projects_active"] <= f["projects_total"]
        rows = body["children"] + ([body["own"]] if body["own"] else [])
        if not body["children"]:
            continue
        checked_own = checked_own or body["own"] is not None
        for column, figure in (
            ("sites", "sites_total"),
            ("teams", "teams_total"),
            ("volunteers", "volunteers_registered"),
            ("activities", "activities_total"),
            ("audience", "audience_total"),
            ("orders", "orders_total"),
            ("followups_open", "followups_open"),
        ):
            assert sum(r[column] for r in rows) == f[figure], (region.name, column)
            assert body["total"][column] == f[figure]
        assert sum(r["hours"] for r in rows) == pytest.approx(f["service_hours"], abs=0.01)
    assert checked_own, "the city's own sites and activities need a 市直 row"

    # What the leader sees: the page's ranking rows (townships + 市直) add up to 合计, and
    # 合计 is the headline above.
    client.force_login(leader)
    html = client.get(f"/insights/dashboard/{city.pk}/").content.decode()
    assert "市直" in html
    sums, total = _ranking_sums(html)
    for i in (0, 1, 3, 4, 5):  # sites, volunteers, activities, audience, orders (hours rounded)
        assert sums[i] == total[i], i
    for i, key in (
        (0, "sites_total"),
        (1, "volunteers"),
        (3, "activities"),
        (4, "audience"),
        (5, "orders"),
    ):
        assert total[i] == _kpi(html, key), key
    assert _kpi(html, "sites_total") == sum(
        _kpi(html, f"sites_{lv}") for lv in ("center", "institute", "station", "point")
    )
    assert _kpi(html, "audience") == _kpi(html, "audience_online") + _kpi(html, "audience_offline")


def test_audience_by_township_and_by_month_add_up_to_the_totals(client, city):
    html = client.get(f"/activities/audience/?region={city.pk}").content.decode()
    stats = [_number(v) for v in re.findall(r'<span class="stat-value">([^<]*)<', html)]
    activities, offline, online, total = stats[:4]
    tables = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    by_region, by_month = tables[0], tables[2]
    for table in (by_region, by_month):
        rows = [re.findall(r"<td>([^<]*)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table)]
        sums = [sum(_number(r[-4 + i]) for r in rows) for i in range(4)]
        assert sums == [activities, offline, online, total]
    assert "市直" in by_region


def test_home_menu_and_dashboard_count_projects_alike(client, city):
    home = client.get("/").content.decode()
    m = re.search(r'data-testid="projects-count">(\d+) 个项目，其中 (\d+) 个可点单<', home)
    assert m, "the home tile says what it counts"
    total, orderable = int(m.group(1)), int(m.group(2))
    menu = client.get("/projects/").content.decode()
    assert re.search(rf"共 {orderable} 个运行中、可点单的项目", menu)
    client.force_login(User.objects.get(username="leader"))
    dash = client.get(f"/insights/dashboard/{city.pk}/").content.decode()
    assert _kpi(dash, "projects") == total
    assert _kpi(dash, "projects_active") == orderable


def _inside(lng: float, lat: float, ring: list) -> bool:
    """Ray casting: is the point strictly inside the polygon ring ([lng, lat] pairs)?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat):
            x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if x > lng:
                inside = not inside
    return inside


def test_every_site_lies_inside_its_own_regions_outline(city):
    """At the city (townships drawn) and at every township (villages drawn): each open site
    lies inside the outline of the child region it belongs to, and every site inside the
    region's own outline (city-level sites belong to no township)."""
    sites = list(
        Site.objects.open_at()
        .exclude(latitude=None)
        .values_list("name", "region__path", "latitude", "longitude")
    )
    tops = [city, *Region.objects.filter(parent=city, level=RegionLevel.TOWNSHIP)]
    assert len(tops) > 5
    checked = 0
    for region in tops:
        overlay = map_data.region_overlay(region_id=region.pk)
        rings = {}
        own = None
        for f in overlay["outlines"]["features"]:
            ring = f["geometry"]["coordinates"][0]
            if f["properties"].get("own"):
                own = ring
            else:
                rings[f["properties"]["i"]] = ring
        child_by_path = {
            r.path: r.pk for r in Region.objects.filter(parent=region).only("id", "path")
        }
        child_len = len(region.path) + PATH_SEGMENT
        for name, path, lat, lng in sites:
            if not path.startswith(region.path):
                continue
            assert own is not None and _inside(lng, lat, own), (region.name, name)
            child = child_by_path.get(path[:child_len]) if len(path) >= child_len else None
            if child is None:
                continue
            assert child in rings, (region.name, name)
            assert _inside(lng, lat, rings[child]), (region.name, name, path)
            checked += 1
    assert checked >= 150
