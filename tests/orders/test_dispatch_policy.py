"""One rule for which team may take an order (``orders.policy``): the dispatch page lists
exactly the teams ``order_dispatch`` accepts — checked from both sides over a county with
a prefecture-level team above it, teams of the same county (the village, another
township, the county itself), teams of another county (one of them named by the ordered
project), an inactive team and a full one — and the dispatch score is recorded by the
service whoever dispatches."""

import re
from types import SimpleNamespace

import pytest
from django.db import transaction

from xinfeng.accounts.choices import Role
from xinfeng.core.errors import DomainError
from xinfeng.orders.choices import OrderState
from xinfeng.orders.models import Order
from xinfeng.orders.policy import eligible_teams, team_may_grab_order, team_may_take_order
from xinfeng.orders.services import order_dispatch
from xinfeng.places.choices import SiteLevel
from xinfeng.regions.choices import RegionLevel

from ..factories import RegionFactory, SiteFactory, UserFactory, grant
from .factories import ProjectFactory, TeamFactory, make_order

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


@pytest.fixture
def county():
    city = RegionFactory(name="九江市", code="360400000000", level=RegionLevel.CITY)
    home = RegionFactory(
        name="共青城市", code="360482000000", level=RegionLevel.COUNTY, parent=city
    )
    other = RegionFactory(name="庐山市", code="360483000000", level=RegionLevel.COUNTY, parent=city)
    t1 = RegionFactory(
        name="苏家垱乡", code="360482201000", level=RegionLevel.TOWNSHIP, parent=home
    )
    t2 = RegionFactory(name="江益镇", code="360482101000", level=RegionLevel.TOWNSHIP, parent=home)
    t3 = RegionFactory(name="白鹿镇", code="360483101000", level=RegionLevel.TOWNSHIP, parent=other)
    v1 = RegionFactory(name="水口村", code="360482201200", level=RegionLevel.VILLAGE, parent=t1)
    inst = SiteFactory(name="苏家垱乡实践所", level=SiteLevel.INSTITUTE, region=t1)
    station = SiteFactory(name="水口村实践站", level=SiteLevel.STATION, region=v1, parent=inst)
    operator = grant(UserFactory(username="op"), Role.STATION_OPERATOR, v1)
    station.operators.add(operator)
    teams = SimpleNamespace(
        prefecture=TeamFactory(name="九江市志愿服务总队", region=city),
        county=TeamFactory(name="共青城市志愿服务队", region=home),
        township=TeamFactory(name="苏家垱乡志愿服务队", region=t1),
        other_township=TeamFactory(name="江益镇志愿服务队", region=t2),
        village=TeamFactory(name="水口村志愿服务队", region=v1),
        other_county=TeamFactory(name="白鹿镇志愿服务队", region=t3),
        named=TeamFactory(name="庐山市医疗服务队", region=t3),
        inactive=TeamFactory(name="停用队", region=v1, is_active=False),
        full=TeamFactory(name="满额队", region=t1, capacity=1),
    )
    project = ProjectFactory(name="白衣天使乡村行", site=station, region=v1)
    project.teams.add(teams.named)
    make_order(  # the full team holds one order already
        team=teams.full,
        state=OrderState.DISPATCHED,
        region=v1,
        site=station,
        requester=operator,
        created_by=operator,
    )
    order = make_order(
        project=project,
        category="health",
        region=v1,
        site=station,
        requester=operator,
        created_by=operator,
        state=OrderState.PENDING_DISPATCH,
    )
    return SimpleNamespace(order=order, teams=teams, operator=operator, project=project)


def _accepted_by_service(order, operator, teams) -> set[int]:
    """The teams ``order_dispatch`` accepts, each tried and rolled back."""
    accepted = set()
    for team in teams:
        try:
            with transaction.atomic():
                order_dispatch(actor=operator, order=order, team=team, reason="试派")
                raise _Rollback
        except _Rollback:
            accepted.add(team.pk)
        except DomainError:
            pass
    assert Order.objects.get(pk=order.pk).state == OrderState.PENDING_DISPATCH
    return accepted


def _listed_on_page(client, order, operator) -> set[int]:
    client.force_login(operator)
    html = client.get(f"/orders/{order.pk}/").content.decode()
    form = html[
        html.index('id="dispatch-form"') : html.index("</form>", html.index('id="dispatch-form"'))
    ]
    return {int(x) for x in re.findall(r'name="team" value="(\d+)"', form)}


def test_the_dispatch_page_lists_exactly_the_teams_the_service_accepts(client, county):
    everyone = list(vars(county.teams).values())
    listed = _listed_on_page(client, county.order, county.operator)
    accepted = _accepted_by_service(county.order, county.operator, everyone)
    # Every listed team is accepted by the service ...
    assert listed <= accepted, {t.name for t in everyone if t.pk in listed - accepted}
    # ... and every team the service accepts is listed.
    assert accepted <= listed, {t.name for t in everyone if t.pk in accepted - listed}
    # The fixture bites: the prefecture team and another county's are refused, the team of
    # another township of the same county and the project's own team are accepted.
    t = county.teams
    assert accepted == {
        t.county.pk,
        t.township.pk,
        t.other_township.pk,
        t.village.pk,
        t.named.pk,
    }


def test_the_queryset_and_the_predicate_are_the_same_rule(county):
    everyone = list(vars(county.teams).values())
    order = county.order
    by_predicate = {t.pk for t in everyone if team_may_take_order(t, order)}
    assert set(eligible_teams(order).values_list("pk", flat=True)) == by_predicate
    # Room is not eligibility: the full team may take the order, but has no room now.
    assert county.teams.full.pk in by_predicate
    assert county.teams.full.pk not in set(
        eligible_teams(order, with_room=True).values_list("pk", flat=True)
    )


def test_grabbing_needs_the_same_area_and_a_fitting_category(county):
    order, t = county.order, county.teams
    t.village.service_categories = ["law"]
    t.township.service_categories = ["health"]
    assert not team_may_grab_order(t.village, order)  # wrong category
    assert team_may_grab_order(t.township, order)
    assert team_may_grab_order(t.county, order)  # a general team
    assert not team_may_grab_order(t.prefecture, order)  # outside the county


def test_suggestions_come_from_the_same_rule(county):
    from xinfeng.orders.dispatch import suggest_teams

    suggested = {e["team_id"] for e in suggest_teams(county.order, limit=50)}
    assert suggested == set(
        eligible_teams(county.order, with_room=True).values_list("pk", flat=True)
    )


def test_the_api_dispatch_records_the_score_like_the_page(county, api_as):
    order, team = county.order, county.teams.named
    resp = api_as(county.operator).post(
        f"/api/v1/orders/{order.pk}/dispatch",
        {"team_id": team.pk, "reason": "项目承接队伍"},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    order.refresh_from_db()
    score = order.dispatch_score
    assert score["engine"] == "suggested" and score["rank"] >= 1
    assert {c["name"] for c in score["components"]} >= {"project", "distance", "category"}
    assert score["explain"]["team"] == team.name and score["explain"]["delivers"] is True
    event = order.events.get(action="dispatch")
    assert event.detail["score"] == score
    # The API shows the engine's sentence next to the person's reason.
    body = resp.json()
    assert body["dispatch_reason"] == "项目承接队伍"
    assert body["dispatch_explanation"].startswith("庐山市医疗服务队：承接该项目")


def test_a_team_delivering_the_project_is_suggested_first_all_else_equal(county):
    from xinfeng.orders.dispatch import suggest_teams

    t = county.teams
    # Two teams alike in every way (same village, same place, no history) ...
    twin = TeamFactory(name="水口村第二服务队", region=t.village.region)
    ranked = [e["team_id"] for e in suggest_teams(county.order, limit=50)]
    assert ranked.index(t.village.pk) < ranked.index(twin.pk)  # ties go by id
    # ... until the project names the later one: it comes first.
    county.project.teams.add(twin)
    top = suggest_teams(county.order, limit=50)
    assert top[0]["team_id"] == twin.pk
    assert top[0]["reason"].startswith("水口村第二服务队：承接该项目，距离")


def test_the_recorded_score_is_the_suggestion_s_score(county):
    from xinfeng.orders.dispatch import dispatch_score_for, suggest_teams

    for entry in suggest_teams(county.order, limit=50):
        score = dispatch_score_for(county.order, entry["team"])
        assert score["rank"] == entry["rank"], entry["team_name"]
        assert score["total"] == pytest.approx(entry["total"])
        assert score["explain"] == entry["explain"]


def test_a_suggestion_sent_unchanged_reads_in_the_readers_language(client, county):
    import html

    order = county.order
    client.force_login(county.operator)
    page = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # The form comes filled with the top suggestion and its sentence, in Chinese.
    team = re.search(r'name="team" value="(\d+)"[^>]*required checked', page).group(1)
    reason = html.unescape(re.search(r'id="dispatch-reason"[^>]*value="([^"]*)"', page).group(1))
    assert "公里" in reason
    resp = client.post(f"/orders/{order.pk}/dispatch/", {"team": team, "reason": reason})
    assert resp.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.DISPATCHED and order.dispatch_reason == reason
    # An English reader reads the system's sentence in English, on the order and the
    # timeline; the Chinese words are gone.
    en = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert " km away" in en and reason not in en
    # A reason a person wrote stays as written (see the API test above).
