"""Results per practice site and per volunteer team: each site and team figure equals an
independent count (Python over every row), results are computed for every site and team,
ranked within their level (sites within their site level), their leaders named; the
ranking pages and API filter by level and name, page, and keep scope from three sides."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    ProjectFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
    grant,
    join,
)
from tests.orders.factories import make_order
from tests.volunteers.factories import credit
from xinfeng.accounts.choices import Role
from xinfeng.activities.models import Activity
from xinfeng.assessment import compute, compute_units
from xinfeng.assessment.models import Result
from xinfeng.assessment.services import schemes
from xinfeng.assessment.services.results import results_compute
from xinfeng.orders.models import FollowUp, Order, OrderRating
from xinfeng.volunteers.models import ServiceRecord, TeamMembership

pytestmark = pytest.mark.django_db
YEAR = compute.parse_period("2026")


def _at(month, day=10):
    return datetime(2026, month, day, 9, tzinfo=UTC)


@pytest.fixture
def world(tree):
    """Activities at two stations and an institute, orders rated per site and team, two
    teams with members, service and a leader each."""
    for site, month, state in [
        (tree.st1, 1, "finished"),
        (tree.st1, 2, "finished"),
        (tree.st1, 3, "cancelled"),
        (tree.inst1, 4, "finished"),
        (tree.st2, 5, "cancelled"),
    ]:
        Activity.objects.create(
            title="活动",
            category="theory",
            site=site,
            region=site.region,
            state=state,
            starts_at=_at(month),
            ends_at=_at(month) + timedelta(hours=2),
            capacity=10,
        )
    tree.team1 = TeamFactory(name="水口村志愿服务队", home_site=tree.st1)
    tree.team2 = TeamFactory(name="江益村志愿服务队", home_site=tree.st2)
    leader = VolunteerFactory(home_region=tree.v1, name="李队长")
    members = [VolunteerFactory(home_region=tree.v1) for _ in range(3)]
    join(tree.team1, leader, leader=True)
    for v in members:
        join(tree.team1, v)
    other = VolunteerFactory(home_region=tree.v2)
    join(tree.team2, other, leader=True)
    credit(leader, tree.v1, team=tree.team1, days_ago=30)
    credit(members[0], tree.v1, team=tree.team1, days_ago=40)
    credit(members[0], tree.v1, team=tree.team1, days_ago=50)
    credit(members[1], tree.v1, days_ago=40)  # served, but not with the team
    credit(other, tree.v2, team=tree.team2, hours=3, days_ago=10)
    resident = grant(UserFactory(), Role.RESIDENT, tree.v1)
    hour = timedelta(hours=1)
    for site, region, team, level, accepted, due in [
        (tree.st1, tree.v1, tree.team1, 5, _at(3) - hour, _at(3)),
        (tree.st1, tree.v1, tree.team1, 2, _at(3) + hour, _at(3)),
        (tree.st1, tree.v1, tree.team1, None, None, _at(4)),  # overdue, never accepted
        (tree.st2, tree.v2, tree.team2, 4, _at(5), _at(5)),
        (tree.st2, tree.v2, tree.team2, 1, None, datetime(2027, 2, 1, tzinfo=UTC)),  # not due
    ]:
        order = make_order(
            region=region,
            site=site,
            team=team,
            project=ProjectFactory(site=site, region=region),
            requester=resident,
            accepted_at=accepted,
            accept_due_at=due,
        )
        if level is not None:
            OrderRating.objects.create(order=order, level=level, created_at=_at(6))
            if level <= 2:
                FollowUp.objects.create(
                    order=order,
                    site=site,
                    region=region,
                    opened_at=_at(6),
                    status="done" if site == tree.st1 else "open",
                )
    return tree


def test_site_and_team_figures_equal_independent_counts(world):
    tree = world
    lo, hi = YEAR.bounds()
    now = timezone.now()
    sites = [tree.inst1, tree.inst2, tree.st1, tree.st2]
    teams = [tree.team1, tree.team2]
    ids = [s.pk for s in sites]
    held = compute_units.unit_figures("site_activities_per_month", ids, YEAR)
    sat = compute_units.unit_figures("site_satisfaction", ids, YEAR)
    fup = compute_units.unit_figures("site_follow_ups_done", ids, YEAR)
    for s in sites:
        n = sum(
            1
            for a in Activity.objects.all()
            if a.site_id == s.pk and a.state == "finished" and lo <= a.starts_at < hi
        )
        assert (held[s.pk].numerator, held[s.pk].denominator) == (n, 12)
        assert held[s.pk].value == (Decimal(n) / 12).quantize(Decimal("0.01"))
        rs = [r for r in OrderRating.objects.all() if r.order.site_id == s.pk]
        assert (sat[s.pk].numerator, sat[s.pk].denominator) == (
            sum(r.level >= 4 for r in rs),
            len(rs),
        )
        fs = [x for x in FollowUp.objects.all() if x.site_id == s.pk]
        assert (fup[s.pk].numerator, fup[s.pk].denominator) == (
            sum(x.status == "done" for x in fs),
            len(fs),
        )
    tids = [t.pk for t in teams]
    ontime = compute_units.unit_figures("team_orders_accepted_on_time", tids, YEAR)
    tsat = compute_units.unit_figures("team_satisfaction", tids, YEAR)
    active = compute_units.unit_figures("team_active_members", tids, YEAR)
    hours = compute_units.unit_figures("team_service_hours", tids, YEAR)
    for t in teams:
        due = [
            o
            for o in Order.objects.all()
            if o.team_id == t.pk
            and lo <= o.accept_due_at < hi
            and (o.accepted_at is not None or o.accept_due_at < now)
        ]
        ok = sum(1 for o in due if o.accepted_at and o.accepted_at <= o.accept_due_at)
        assert (ontime[t.pk].numerator, ontime[t.pk].denominator) == (ok, len(due))
        rs = [r for r in OrderRating.objects.all() if r.order.team_id == t.pk]
        assert tsat[t.pk].numerator == sum(r.level >= 4 for r in rs)
        members = {
            m.volunteer_id
            for m in TeamMembership.objects.all()
            if m.team_id == t.pk and m.status == "active"
        }
        records = [r for r in ServiceRecord.objects.all() if r.team_id == t.pk]
        served = {r.volunteer_id for r in records if lo <= r.started_at < hi}
        assert (active[t.pk].numerator, active[t.pk].denominator) == (
            len(members & served),
            len(members),
        )
        assert hours[t.pk].value == sum((r.hours for r in records), Decimal(0))
    # The figures themselves, from the specification of the world above.
    assert held[tree.st1.pk].numerator == 2 and held[tree.st2.pk].numerator == 0
    assert sat[tree.st1.pk].value == Decimal("50.00")
    assert fup[tree.st1.pk].value == Decimal("100.00")
    assert (fup[tree.st2.pk].numerator, fup[tree.st2.pk].denominator) == (0, 1)
    assert (ontime[tree.team1.pk].numerator, ontime[tree.team1.pk].denominator) == (1, 3)
    assert ontime[tree.team2.pk].value == Decimal("100.00")
    assert active[tree.team1.pk].value == Decimal("50.00")  # 2 of 4 served with the team
    assert hours[tree.team2.pk].value == Decimal("3.00")
    assert compute_units.unit_figures("satisfaction", ids, YEAR) is None


@pytest.fixture
def scheme(world):
    staff = grant(UserFactory(username="city-staff"), Role.CENTER_ADMIN, world.city)
    world.inst1.responsible_name = "王所长"
    world.inst1.save()
    return schemes.default_scheme_build(actor=staff, region=world.city, year=2026)


def test_results_per_site_and_team_are_ranked_and_named(world, scheme):
    tree = world
    # 2 townships, 2 villages, 4 sites below the center (2 institutes, 2 stations), 2 teams.
    assert results_compute(scheme=scheme, period_key="2026") == 10
    sites = Result.objects.filter(scheme=scheme, level="site")
    assert {r.site_id for r in sites} == {tree.inst1.pk, tree.inst2.pk, tree.st1.pk, tree.st2.pk}
    # Ranks count within each site level.
    for group in ("institute", "station"):
        assert sorted(r.rank for r in sites if r.rank_group == group) == [1, 2]
    st1 = sites.get(site=tree.st1)
    line = st1.lines.get(node__metric="site_activities_per_month")
    # 2 activities in 12 months (0.17 a month) against 2 a month: 4 × 0.17 / 2.
    assert line.figure == Decimal("0.17") and line.score == Decimal("0.34")
    assert st1.rank == 1 and st1.region_id == tree.v1.pk and st1.name == "水口村实践站"
    assert sites.get(site=tree.inst1).leader == "王所长"
    teams = Result.objects.filter(scheme=scheme, level="team").order_by("rank")
    assert [r.team_id for r in teams] == [tree.team2.pk, tree.team1.pk]  # 100 % vs 33 %
    assert teams[1].leader == "李队长" and teams[1].total == Decimal("1.05")  # 3 × 33.33/95
    assert teams[0].max_points == 3
    # Computing again replaces the rows: the same count, no duplicates.
    results_compute(scheme=scheme, period_key="2026")
    assert Result.objects.filter(scheme=scheme, period="2026").count() == 10


def test_site_and_team_rankings_pages_and_api_three_sides(world, scheme, owner, outsider, api_as):
    tree = world
    results_compute(scheme=scheme, period_key="2026")
    base = f"/api/v1/assessment/schemes/{scheme.pk}/results"
    mine = api_as(owner).get(f"{base}?period=2026&level=site").json()
    # The township's institute and its village's station; not 江益镇's.
    assert {r["site_id"] for r in mine} == {tree.inst1.pk, tree.st1.pk}
    assert {r["name"] for r in mine} == {"苏家垱乡实践所", "水口村实践站"}
    teams = api_as(owner).get(f"{base}?period=2026&level=team&q=水口").json()
    assert [(r["team_id"], r["level"]) for r in teams] == [(tree.team1.pk, "team")]
    assert api_as(outsider).get(f"{base}?period=2026&level=team&q=水口").json() == []
    assert api_as(owner).get(f"{base}?level=bogus").status_code == 422
    assert api_as(owner).get(f"{base}?limit=1").json().__len__() == 1
    team_result = Result.objects.get(team=tree.team1)
    assert api_as(outsider).get(f"/api/v1/assessment/results/{team_result.pk}").status_code == 404
    assert Client().get(f"/api/v1/assessment/results/{team_result.pk}").status_code == 401
    detail = api_as(owner).get(f"/api/v1/assessment/results/{team_result.pk}").json()
    assert detail["team_id"] == tree.team1.pk and detail["trend"][0]["period"] == "2026"

    c = Client()
    page_url = f"/assessment/schemes/{scheme.pk}/results/?period=2026&level=site"
    assert c.get(page_url).status_code == 302
    c.force_login(owner)
    html = c.get(page_url).content.decode()
    assert "水口村实践站" in html and "江益村实践站" not in html and "新时代文明实践站" in html
    assert "没有名称相符的单位" in c.get(page_url + "&q=不存在").content.decode()
    assert c.get(f"/assessment/schemes/{scheme.pk}/results/?level=bogus").status_code == 400
    page = c.get(f"/assessment/results/{team_result.pk}/").content.decode()
    assert "水口村志愿服务队" in page and "李队长" in page
    pdf = c.get(f"/assessment/results/{team_result.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = c.get(f"/assessment/schemes/{scheme.pk}/results.xlsx?period=2026&level=team")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    c.force_login(outsider)
    assert c.get(f"/assessment/results/{team_result.pk}/").status_code == 404


def test_ranking_page_pages_through_a_level(world, scheme, sysadmin):
    from xinfeng.assessment.views import results as views

    for i in range(views.PAGE_SIZE):
        TeamFactory(name=f"测试队{i:02d}", home_site=world.st2)
    results_compute(scheme=scheme, period_key="2026")
    c = Client()
    c.force_login(sysadmin)
    url = f"/assessment/schemes/{scheme.pk}/results/?period=2026&level=team"
    first = c.get(url).content.decode()
    second = c.get(url + "&page=2").content.decode()
    total = views.PAGE_SIZE + 2
    assert f"共 {total} 个" in first and "第 1 / 2 页" in first
    assert second.count("/assessment/results/") == 2


def test_ranking_and_manual_pages_keep_their_query_count(world, scheme, sysadmin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfeng.assessment.services import manual

    c = Client()
    c.force_login(sysadmin)
    ranking = f"/assessment/schemes/{scheme.pk}/results/?period=2026&level=team"
    scores = f"/assessment/schemes/{scheme.pk}/manual/"
    visit = scheme.nodes.get(code="5.2.1")

    def counts():
        results_compute(scheme=scheme, period_key="2026")
        out = []
        for url in (ranking, scores):
            c.get(url)  # warm the per-person caches
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            out.append(len(ctx))
        return out

    manual.manual_score_record(
        actor=sysadmin, scheme=scheme, node=visit, region=world.t1, period="2026-01"
    )
    few = counts()
    for i in range(20):
        TeamFactory(name=f"加测队{i}", home_site=world.st1)
    for month in range(2, 12):
        manual.manual_score_record(
            actor=sysadmin, scheme=scheme, node=visit, region=world.t2, period=f"2026-{month:02d}"
        )
    assert counts() == few
