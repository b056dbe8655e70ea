"""The named yes/no rules of the order workflow: which team may take which order.

One rule, one function; the dispatch page, the API, the services (``order_dispatch``,
``order_grab``), auto-dispatch, the suggestions and the open-order notices all ask here.

- :func:`team_may_take_order` — may this team be sent (派单) this order?
- :func:`eligible_teams` — the same rule as a queryset (the page's and the engine's list).
- :func:`team_may_grab_order` — may this team grab (抢单) this open order?
- :func:`team_has_room` — does the team hold fewer orders than its capacity?
- :func:`user_leads_team` — is the user an active leader (队长) of the team (the
  volunteers' rule, re-exported so order code has one name for it).
"""

from __future__ import annotations

from collections.abc import Container

from django.db.models import Count, F, Q, QuerySet

from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import PATH_SEGMENT, subtree_q
from xinfeng.volunteers.models import Team
from xinfeng.volunteers.policy import user_leads_team

from .choices import TEAM_LOAD_STATES
from .models import Order

__all__ = [
    "dispatch_area_path",
    "eligible_teams",
    "team_has_room",
    "team_in_area_or_named",
    "team_may_grab_order",
    "team_may_take_order",
    "team_serves_category",
    "user_leads_team",
]

# The region levels that are themselves a dispatch area (an order placed at such a level
# is served from that whole area).
AREA_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)


def dispatch_area_path(region) -> str:
    """The region path of the order's **dispatch area**: the county-level region (县级市、
    区、县) that contains ``region``, or ``region`` itself when it is county level or higher.
    A tree without a county level above ``region`` falls back to its root. Kept on the
    region object (keyed by its path): a dispatch asks for it twice — the eligibility check
    and the engine's candidates — and the second asks no query."""
    if region.level in AREA_LEVELS:
        return region.path
    memo = region.__dict__.get("_dispatch_area")
    if memo is not None and memo[0] == region.path:
        return memo[1]
    area = region.path[:PATH_SEGMENT]
    for anc in reversed(list(region.ancestors())):
        if anc.level == RegionLevel.COUNTY:
            area = anc.path
            break
    region.__dict__["_dispatch_area"] = (region.path, area)
    return area


def _project_names_team(order: Order, team_id: int) -> bool:
    return bool(order.project_id) and order.project.teams.filter(pk=team_id).exists()


def team_may_take_order(team: Team, order: Order, *, area_path: str | None = None) -> bool:
    """Whether ``team`` may be dispatched ``order`` (派单).

    The rule: the team is **active**, and either

    - its region lies inside the order's dispatch area (:func:`dispatch_area_path`: the
      county-level region of the order's place) — a village, township or county team of
      that county; a team of the prefecture or province above it is not; or
    - the order's project names the team among those that deliver it (承接该项目), wherever
      the team sits.

    Capacity is not part of eligibility (it changes by the minute): ``order_dispatch``
    also refuses a team at capacity (:func:`team_has_room`, checked under the row lock).
    """
    area = area_path if area_path is not None else dispatch_area_path(order.region)
    if team_in_area_or_named(team, area, ()):
        return True
    return team.is_active and _project_names_team(order, team.pk)


def team_in_area_or_named(team: Team, area_path: str, named_ids: Container[int]) -> bool:
    """:func:`team_may_take_order` with its two facts known (the dispatch area's path, the
    ids of the teams the project names): the form the engine uses over many pairs."""
    return team.is_active and (team.region.path.startswith(area_path) or team.pk in named_ids)


def eligible_teams(order: Order, *, with_room: bool = False) -> QuerySet:
    """:func:`team_may_take_order` as a queryset: every team that may be sent ``order``,
    annotated with ``load`` (orders it holds now). ``with_room`` keeps only teams below
    their capacity — exactly the teams ``order_dispatch`` accepts."""
    q = subtree_q([dispatch_area_path(order.region)], "region__path")
    if order.project_id:
        q |= Q(pk__in=order.project.teams.values("pk"))
    qs = (
        Team.objects.filter(q, is_active=True)
        .annotate(load=Count("orders", filter=Q(orders__state__in=TEAM_LOAD_STATES), distinct=True))
        .select_related("region", "home_site")
    )
    if with_room:
        qs = qs.filter(load__lt=F("capacity"))
    return qs


def team_serves_category(team: Team, order: Order) -> bool:
    """The team serves the order's category, or lists none (a general team), or the order
    has no category."""
    cats = team.service_categories or []
    return not (order.category and cats and order.category not in cats)


def team_may_grab_order(team: Team, order: Order) -> bool:
    """Whether ``team`` may grab (抢单) ``order`` once it is open: it may be dispatched the
    order (:func:`team_may_take_order`) and it serves the order's service category (or is a
    general team) — nobody chooses a grabbing team, so the category must fit."""
    return team_serves_category(team, order) and team_may_take_order(team, order)


def team_has_room(team: Team, load: int) -> bool:
    """A team holding ``load`` orders may take one more while ``load`` < its capacity."""
    return load < team.capacity
