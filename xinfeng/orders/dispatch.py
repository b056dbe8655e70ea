"""The dispatch engine (派单): ranked team suggestions and exact batch auto-dispatch.

- :func:`suggest_teams` ranks the eligible teams for one order by the transparent cost of
  :mod:`~xinfeng.orders.dispatch_score` (category, distance, jurisdiction, load, ratings,
  response time) and returns every component with its weight, so the page can show why.
- :func:`auto_dispatch` plans a batch of orders at minimum total cost under the teams'
  capacities, exactly (:mod:`~xinfeng.orders.dispatch_assign`), and explains each choice.
- ``services.orders_auto_dispatch`` is the service: it plans the pending orders an operator
  may dispatch and applies the plan through ``services.order_dispatch`` (which locks,
  checks and records the event), with the reason and the score recorded on each order.

Eligible teams are those of :func:`xinfeng.orders.policy.team_may_take_order` (active, in
the order's county-level area, or named by the order's project) with room left. Every
suggestion and every automatic choice carries an ``explain`` record (facts, not words)
that :mod:`~xinfeng.orders.dispatch_explain` turns into one sentence in the reader's
language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db.models import Count, Q, Sum
from django.utils import timezone

from xinfeng.regions.models import PATH_SEGMENT, Region, subtree_q
from xinfeng.volunteers.models import Team

from .choices import TEAM_LOAD_STATES
from .dispatch_assign import DEFAULT_K
from .dispatch_explain import explain_facts, explanation_text
from .dispatch_plan import DispatchPlan, plan_dispatch, rank_teams
from .dispatch_score import (
    CATEGORY_INDEX,
    OrderArrays,
    TeamArrays,
    category_mask,
    cost_matrix,
    get_weights,
    pair_components,
    path_segments,
)
from .models import Order
from .policy import dispatch_area_path, team_in_area_or_named

# Response times and ratings are read from orders of the last year.
HISTORY = timedelta(days=365)
REASON_MAX = 300


# --- arrays from the database -------------------------------------------------------------


def _team_place(team: Team) -> tuple[float, float]:
    for obj in (team, team.home_site, team.region):
        if obj is not None and obj.latitude is not None and obj.longitude is not None:
            return obj.latitude, obj.longitude
    return np.nan, np.nan


def _order_place(order: Order) -> tuple[float, float]:
    for obj in (order, order.region, order.site):
        if obj is not None and obj.latitude is not None and obj.longitude is not None:
            return obj.latitude, obj.longitude
    return np.nan, np.nan


def team_arrays(teams: Sequence[Team], projects: Iterable[int] = ()) -> TeamArrays:
    """The score's facts for these teams in four queries (five with ``projects``): load
    now, ratings and response times over the last year, and which of them deliver each of
    the ordered ``projects``."""
    ids = [t.pk for t in teams]
    project_teams: dict[int, np.ndarray] = {}
    project_ids = {int(p) for p in projects if p}
    if project_ids:
        row_of = {tid: j for j, tid in enumerate(ids)}
        rows: dict[int, list[int]] = {}
        for pid, tid in Team.projects.through.objects.filter(
            project_id__in=project_ids, team_id__in=ids
        ).values_list("project_id", "team_id"):
            rows.setdefault(pid, []).append(row_of[tid])
        project_teams = {pid: np.array(r, dtype=np.int64) for pid, r in rows.items()}
    load = dict(
        Order.objects.filter(team_id__in=ids, state__in=TEAM_LOAD_STATES)
        .values("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    since = timezone.now() - HISTORY
    rated = {
        r["team_id"]: (r["s"] or 0, r["n"])
        for r in Order.objects.filter(
            team_id__in=ids, rating_level__isnull=False, dispatched_at__gte=since
        )
        .values("team_id")
        .annotate(s=Sum("rating_level"), n=Count("id"))
    }
    resp_sum: dict[int, float] = {}
    resp_n: dict[int, int] = {}
    for team_id, dispatched, accepted in Order.objects.filter(
        team_id__in=ids, dispatched_at__gte=since, accepted_at__isnull=False
    ).values_list("team_id", "dispatched_at", "accepted_at"):
        hours = max((accepted - dispatched).total_seconds() / 3600.0, 0.0)
        resp_sum[team_id] = resp_sum.get(team_id, 0.0) + hours
        resp_n[team_id] = resp_n.get(team_id, 0) + 1
    seg, depth = path_segments([t.region.path for t in teams])
    places = [_team_place(t) for t in teams]
    return TeamArrays(
        ids=np.array(ids, dtype=np.int64),
        lat=np.array([p[0] for p in places], dtype=float),
        lon=np.array([p[1] for p in places], dtype=float),
        segments=seg,
        depth=depth,
        categories=np.array([category_mask(t.service_categories) for t in teams], dtype=np.int64),
        capacity=np.array([t.capacity for t in teams], dtype=np.int64),
        load=np.array([load.get(i, 0) for i in ids], dtype=np.int64),
        rating_sum=np.array([rated.get(i, (0, 0))[0] for i in ids], dtype=float),
        rating_count=np.array([rated.get(i, (0, 0))[1] for i in ids], dtype=float),
        response_hours_sum=np.array([resp_sum.get(i, 0.0) for i in ids], dtype=float),
        response_count=np.array([resp_n.get(i, 0) for i in ids], dtype=float),
        project_teams=project_teams,
    )


def order_arrays(orders: Sequence[Order]) -> OrderArrays:
    seg, depth = path_segments([o.region.path for o in orders])
    places = [_order_place(o) for o in orders]
    return OrderArrays(
        ids=np.array([o.pk or 0 for o in orders], dtype=np.int64),
        lat=np.array([p[0] for p in places], dtype=float),
        lon=np.array([p[1] for p in places], dtype=float),
        segments=seg,
        depth=depth,
        category=np.array([CATEGORY_INDEX.get(o.category or "", -1) for o in orders]),
        project=np.array([o.project_id or 0 for o in orders], dtype=np.int64),
    )


def _with_relations(orders: Iterable[Order]) -> list[Order]:
    ids = [o.pk for o in orders]
    by_id = Order.objects.select_related("region", "site", "project").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def candidate_teams(orders: Sequence[Order]) -> tuple[list[Team], np.ndarray]:
    """Active teams eligible for any of the orders, and the (n, m) eligibility mask: the
    batch form of :func:`~xinfeng.orders.policy.team_may_take_order`."""
    areas = [dispatch_area_path(o.region) for o in orders]
    named: dict[int, set[int]] = {}
    project_ids = {o.project_id for o in orders if o.project_id}
    if project_ids:
        for pid, tid in Team.projects.through.objects.filter(
            project_id__in=project_ids
        ).values_list("project_id", "team_id"):
            named.setdefault(pid, set()).add(tid)
    named_ids = set().union(*named.values()) if named else set()
    teams = list(
        Team.objects.filter(is_active=True)
        .filter(subtree_q(set(areas), "region__path") | Q(pk__in=named_ids))
        .select_related("region", "home_site")
        .order_by("id")
    )
    mask = np.zeros((len(orders), len(teams)), dtype=bool)
    for i, (o, area) in enumerate(zip(orders, areas, strict=True)):
        own = named.get(o.project_id, set())
        for j, t in enumerate(teams):
            mask[i, j] = team_in_area_or_named(t, area, own)
    return teams, mask


# --- suggestions for one order --------------------------------------------------------------


def region_levels(paths: Iterable[str]) -> dict[str, str]:
    """Region path → level for every region on the given paths (one query)."""
    prefixes = {p[:i] for p in paths for i in range(PATH_SEGMENT, len(p) + 1, PATH_SEGMENT)}
    return dict(Region.objects.filter(path__in=prefixes).values_list("path", "level"))


def _explain(entry, order, team, o_arr, t_arr, row, levels) -> dict:
    j = entry["team_row"]
    return explain_facts(
        entry,
        team_name=team.name,
        order_path=order.region.path,
        team_path=team.region.path,
        ordered_project=bool(order.project_id),
        ordered_category=bool(order.category),
        teams=t_arr,
        row=j,
        km_known=not (np.isnan(o_arr.lat[row]) or np.isnan(t_arr.lat[j])),
        levels=levels,
    )


def _ranked(
    order: Order,
    *,
    limit: int | None,
    include_full: bool,
    weights: dict[str, float] | None,
) -> list[dict]:
    order = _with_relations([order])[0]
    teams, mask = candidate_teams([order])
    teams = [t for t, ok in zip(teams, mask[0], strict=True) if ok]
    if not teams:
        return []
    o_arr, t_arr = order_arrays([order]), team_arrays(teams, [order.project_id])
    ranked = rank_teams(
        o_arr,
        t_arr,
        0,
        limit=limit or len(teams),
        include_full=include_full,
        weights=get_weights(weights),
    )
    levels = region_levels([order.region.path])
    for entry in ranked:
        team = teams[entry["team_row"]]
        entry.update(team=team, team_name=team.name)
        entry["explain"] = _explain(entry, order, team, o_arr, t_arr, 0, levels)
        entry["reason"] = explanation_text(entry["explain"])[:REASON_MAX]
    return ranked


def suggest_teams(
    order: Order,
    *,
    limit: int = 5,
    include_full: bool = False,
    weights: dict[str, float] | None = None,
) -> list[dict]:
    """The best ``limit`` eligible teams for ``order``, cheapest first. Each entry has the
    ``team`` (model), ``team_id``, ``team_name``, ``rank``, ``total`` cost, ``components``
    (name, label, value, weight, cost), ``distance_km``, ``load``/``capacity``, ``full``,
    the ``explain`` facts and their sentence ``reason`` in the active language. Teams at
    capacity are left out, or listed last and flagged with ``include_full``."""
    return _ranked(order, limit=limit, include_full=include_full, weights=weights)


def dispatch_score_for(
    order: Order, team: Team, *, weights: dict[str, float] | None = None
) -> dict | None:
    """The engine's score of sending ``order`` to ``team`` (its rank among the eligible
    teams as :func:`suggest_teams` ranks them, every component, the explanation facts), as
    ``order_dispatch`` records it whoever dispatches — a page, the API or auto-dispatch.
    Only the chosen pair is explained; the others are just costed (one vector)."""
    order = _with_relations([order])[0]
    teams, mask = candidate_teams([order])
    teams = [t for t, ok in zip(teams, mask[0], strict=True) if ok]
    if team.pk not in {t.pk for t in teams}:
        teams.append(Team.objects.select_related("region", "home_site").get(pk=team.pk))
    j = next(i for i, t in enumerate(teams) if t.pk == team.pk)
    w = get_weights(weights)
    o_arr, t_arr = order_arrays([order]), team_arrays(teams, [order.project_id])
    cost = cost_matrix(o_arr, t_arr, w, exclude_full=False)[0]
    full = t_arr.remaining <= 0
    # The rank rank_teams gives: cheapest first, ties by id, teams at capacity last.
    ahead = (full < full[j]) | (
        (full == full[j]) & ((cost < cost[j]) | ((cost == cost[j]) & (t_arr.ids < t_arr.ids[j])))
    )
    entry = {
        "rank": int(ahead.sum()) + 1,
        "team_row": j,
        "team_id": team.pk,
        "full": bool(full[j]),
        "load": int(t_arr.load[j]),
        "capacity": int(t_arr.capacity[j]),
        **pair_components(o_arr, t_arr, np.zeros(1, dtype=np.int64), np.array([j]), w)[0],
    }
    levels = region_levels([order.region.path])
    entry["explain"] = _explain(entry, order, teams[j], o_arr, t_arr, 0, levels)
    return score_json(entry, engine="suggested")


# --- batch auto-dispatch --------------------------------------------------------------------


@dataclass
class AutoDispatchPlan:
    """A plan over real orders: ``assignments`` are (order, team, explanation) triples,
    ``unassigned`` are (order, explanation) pairs; figures from the exact solver."""

    plan: DispatchPlan
    assignments: list[tuple[Order, Team, dict]] = field(default_factory=list)
    unassigned: list[tuple[Order, dict]] = field(default_factory=list)

    @property
    def total_cost(self) -> float:
        return self.plan.total_cost

    @property
    def certified(self) -> bool:
        return self.plan.result.certified


def auto_dispatch(
    orders: Sequence[Order],
    teams: Sequence[Team] | None = None,
    *,
    weights: dict[str, float] | None = None,
    k: int = DEFAULT_K,
) -> AutoDispatchPlan:
    """Plan a batch: each order to at most one team, no team above its remaining capacity,
    minimum total cost (exact), every choice explained. ``teams`` defaults to the eligible
    teams of :func:`candidate_teams`; given teams are all treated as eligible."""
    orders = _with_relations(orders)
    if teams is None:
        teams, mask = candidate_teams(orders)
    else:
        teams = list(
            Team.objects.filter(pk__in=[t.pk for t in teams], is_active=True)
            .select_related("region", "home_site")
            .order_by("id")
        )
        mask = np.ones((len(orders), len(teams)), dtype=bool)
    w = get_weights(weights)
    o_arr = order_arrays(orders)
    t_arr = team_arrays(teams, [o.project_id for o in orders])
    cost = cost_matrix(o_arr, t_arr, w)
    cost[~mask] = np.inf
    plan = plan_dispatch(o_arr, t_arr, weights=w, k=k, cost=cost)
    result = AutoDispatchPlan(plan=plan)
    levels = region_levels({o.region.path for o in orders}) if plan.result.team.size else {}
    for row, (order, entry) in enumerate(zip(orders, plan.explanations, strict=True)):
        if entry["team_row"] is None:
            result.unassigned.append((order, entry))
        else:
            team = teams[entry["team_row"]]
            entry["team_name"] = team.name
            entry["explain"] = _explain(entry, order, team, o_arr, t_arr, row, levels)
            result.assignments.append((order, team, entry))
    return result


SCORE_KEYS = (
    "total",
    "components",
    "distance_km",
    "jurisdiction_steps",
    "rank",
    "extra_cost",
    "explain",
)


def score_json(entry: dict, *, engine: str) -> dict:
    """What ``order_dispatch`` records of an engine entry: the figures, the components
    (labels as text) and the explanation facts; ``engine``: "auto" (auto-dispatch) or
    "suggested" (the engine's score of the team a person chose)."""
    score = {k: entry[k] for k in SCORE_KEYS if k in entry}
    score["components"] = [{**c, "label": str(c["label"])} for c in score.get("components", [])]
    score["engine"] = engine
    return score
