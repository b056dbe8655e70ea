"""The dashboard page: rollup rows only, a fixed number of queries, scope, drill-down,
freshness, Excel export."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.factories import RegionFactory
from xinfeng.insights.rollup import run_rollup
from xinfeng.insights.sources import RAW_TABLES
from xinfeng.regions.choices import RegionLevel

from .raw_counts import raw_figures


def kpi(html: str, key: str) -> str:
    m = re.search(rf'data-kpi="{key}"><span class="kpi-value">([^<]*)<', html)
    assert m, key
    return m.group(1)


@pytest.fixture
def rolled(city):
    run_rollup()
    return city


def test_dashboard_shows_the_city_figures(client, leader, rolled):
    client.force_login(leader)
    html = client.get(f"/insights/dashboard/{rolled.city.pk}/").content.decode()
    raw = raw_figures(rolled.city)
    assert kpi(html, "sites_institute") == str(raw["sites_institute"])
    assert kpi(html, "sites_station") == str(raw["sites_station"])
    assert kpi(html, "sites_complex") == str(raw["sites_complex"])
    assert kpi(html, "volunteers") == str(raw["volunteers_registered"])
    assert kpi(html, "orders") == str(raw["orders_total"])
    assert kpi(html, "satisfaction") == f"{raw['satisfaction']:.2f}"
    assert "数据更新于" in html


def kpis(html: str) -> dict:
    return dict(re.findall(r'data-kpi="(\w+)"><span class="kpi-value">([^<]*)<', html))


def _queries(client, url):
    # The shell's menu caches per person whether they lead a team (one query a minute, not
    # one a page): warm it so the count is the dashboard's own.
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return ctx.captured_queries


def test_dashboard_reads_no_raw_table(client, leader, rolled):
    client.force_login(leader)
    for region in (rolled.city, rolled.t2, rolled.v2):
        sql = " ".join(q["sql"] for q in _queries(client, f"/insights/dashboard/{region.pk}/"))
        for table in RAW_TABLES:
            assert f'"{table}"' not in sql, table
        assert '"activities_' not in sql and '"orders_' not in sql


def test_dashboard_query_count_does_not_grow_with_the_data(client, leader, rolled):
    """Session, region, its stat row, children, top villages or ancestors, last run: 6
    queries on a warm page (the user and roles come from the process's session entry, 2
    more when it is cold), however many villages and records there are."""
    client.force_login(leader)

    def warm(url):
        _queries(client, url)
        return len(_queries(client, url))

    url = f"/insights/dashboard/{rolled.t2.pk}/?rank=satisfaction"
    before = warm(url)
    for i in range(30):
        RegionFactory(name=f"新村{i}", level=RegionLevel.VILLAGE, parent=rolled.t2)
    run_rollup()
    assert warm(url) == before == 6
    assert warm(f"/insights/dashboard/{rolled.city.pk}/") == 6
    assert warm(f"/insights/dashboard/{rolled.v2.pk}/") == 6


def test_drill_down_links_lead_to_each_township(client, leader, rolled):
    client.force_login(leader)
    html = client.get(f"/insights/dashboard/{rolled.city.pk}/").content.decode()
    assert f'href="/insights/dashboard/{rolled.t2.pk}/">江益镇</a>' in html
    sub = client.get(f"/insights/dashboard/{rolled.t2.pk}/").content.decode()
    raw = raw_figures(rolled.t2)
    assert kpi(sub, "sites_station") == str(raw["sites_station"])
    assert kpi(sub, "orders") == str(raw["orders_total"])
    assert f'href="/insights/dashboard/{rolled.city.pk}/">共青城市</a>' in sub  # way back up


def test_drill_down_reaches_every_village_and_ranks_villages(client, leader, rolled):
    from xinfeng.regions.models import Region

    client.force_login(leader)
    city = client.get(f"/insights/dashboard/{rolled.city.pk}/").content.decode()
    # The city page ranks the villages of the whole city (by hours by default).
    ranked = re.findall(r'<tr data-region="(\d+)">', city.split('id="rank-villages"')[1])
    villages = Region.objects.filter(level=RegionLevel.VILLAGE, path__startswith=rolled.city.path)
    hours = {v.pk: raw_figures(v)["service_hours"] for v in villages}
    assert [int(r) for r in ranked] == sorted(hours, key=lambda pk: -hours[pk])
    assert len(ranked) == len(hours)
    for township in (rolled.t1, rolled.t2):
        page = client.get(f"/insights/dashboard/{township.pk}/").content.decode()
        for village in villages.filter(parent=township):
            assert f'href="/insights/dashboard/{village.pk}/">{village.display_name}</a>' in page
            sub = client.get(f"/insights/dashboard/{village.pk}/").content.decode()
            raw = raw_figures(village)
            assert kpi(sub, "orders") == str(raw["orders_total"]), village.name
            assert kpi(sub, "volunteers") == str(raw["volunteers_registered"]), village.name
            assert f'href="/insights/dashboard/{township.pk}/">' in sub  # back up


def test_outside_the_leaders_region_is_404_like_a_missing_one(client, township_leader, rolled):
    client.force_login(township_leader)
    assert client.get(f"/insights/dashboard/{rolled.t1.pk}/").status_code == 200
    assert client.get(f"/insights/dashboard/{rolled.t2.pk}/").status_code == 404
    assert client.get(f"/insights/dashboard/{rolled.city.pk}/").status_code == 404
    assert client.get("/insights/dashboard/999999/").status_code == 404


def test_own_region_is_the_default(client, township_leader, rolled):
    client.force_login(township_leader)
    response = client.get("/insights/")
    assert (
        response.status_code == 302
        and response["Location"] == f"/insights/dashboard/{rolled.t1.pk}/"
    )


def test_residents_have_no_dashboard_and_anonymous_must_sign_in(client, plain_resident, rolled):
    anonymous = client.get(f"/insights/dashboard/{rolled.city.pk}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(plain_resident)
    assert client.get(f"/insights/dashboard/{rolled.v1.pk}/").status_code == 404
    own = client.get("/insights/")
    assert own.status_code == 403 and "没有查看权限" in own.content.decode()


def test_page_says_when_no_rollup_has_run_yet(client, leader, city):
    client.force_login(leader)
    html = client.get(f"/insights/dashboard/{city.city.pk}/").content.decode()
    assert "统计数据尚未生成" in html
    assert kpi(html, "sites_station") == "0"


def test_excel_export_has_the_figures_and_the_ranking(client, leader, rolled):
    client.force_login(leader)
    response = client.get(f"/insights/dashboard/{rolled.city.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:3] == ["概览", "月度", "下级排名"]
    overview = {row[0]: row[1] for row in wb["概览"].iter_rows(values_only=True)}
    raw = raw_figures(rolled.city)
    assert overview["实践站"] == raw["sites_station"]
    assert overview["点单总数"] == raw["orders_total"]
    assert overview["志愿服务时长（小时）"] == raw["service_hours"]
    rows = list(wb["下级排名"].iter_rows(min_row=2, values_only=True))
    names = [row[0] for row in rows]
    assert sorted(names[:2]) == ["江益镇", "苏家垱乡"]
    # The city's own share (its center's online lecture) and the total close the sheet, so
    # the rows add up as on the page.
    assert names[2:] == ["市直", "合计"]
    audience = 7  # column of 参与人次
    assert (
        sum(r[audience] for r in rows[:3])
        == rows[3][audience]
        == raw["audience_online"] + (raw["audience_offline"])
    )


def test_export_outside_scope_is_404(client, township_leader, rolled):
    client.force_login(township_leader)
    assert client.get(f"/insights/dashboard/{rolled.t2.pk}/export.xlsx").status_code == 404


def test_api_returns_the_same_figures(api_as, leader, rolled):
    body = api_as(leader).get(f"/api/v1/insights/regions/{rolled.t2.pk}/dashboard").json()
    raw = raw_figures(rolled.t2)
    assert body["figures"]["orders_total"] == raw["orders_total"]
    hours = [c["hours"] for c in body["children"]]
    assert [c["name"] for c in body["children"]] == ["江益社区", "江益村"]  # 4.25 h > 4.0 h
    assert hours == sorted(hours, reverse=True)
    assert body["as_of"] is not None


def test_api_dashboard_outside_scope_is_404_and_anonymous_401(
    client, api_as, township_leader, rolled
):
    response = api_as(township_leader).get(f"/api/v1/insights/regions/{rolled.t2.pk}/dashboard")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/insights/regions/{rolled.t2.pk}/dashboard").status_code == 401


def test_rollup_runs_are_in_the_admin_for_system_administrators(client, city):
    from tests.factories import UserFactory

    run_rollup()
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/insights/rolluprun/").status_code == 200
    assert client.get("/admin/insights/regionstat/").status_code == 200
    staff = UserFactory(username="staffer", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/insights/regionstat/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_page_figures_follow_a_change_once_the_worker_has_run(client, leader, rolled):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from xinfeng.orders.choices import OrderState

    from .conftest import _order, _service

    client.force_login(leader)
    url = f"/insights/dashboard/{rolled.t2.pk}/"
    before = client.get(url).content.decode()
    _service(rolled.volunteers[3], rolled.v3, timezone.now() - timedelta(hours=2), "10.0")
    _order(rolled.st3, rolled.v3, OrderState.SUBMITTED, ago_days=0)
    # The page reads the rollup only: nothing moves until the worker has run.
    assert len(kpis(before)) >= 20
    assert kpis(client.get(url).content.decode()) == kpis(before)
    call_command("worker", "--once")
    after = client.get(url).content.decode()
    raw = raw_figures(rolled.t2)
    assert kpi(after, "orders") == str(raw["orders_total"]) == str(int(kpi(before, "orders")) + 1)
    assert kpi(after, "hours") == str(round(raw["service_hours"]))
    assert int(kpi(after, "hours")) == int(kpi(before, "hours")) + 10
    assert kpi(after, "active") == str(raw["volunteers_active_month"])
