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
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
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


def history_facts(ids: Sequence[int]) -> dict[int, tuple[int, float, int, float, int]]:
    """Team id → (load, rating sum, rating count, response hours sum, response count) in
    one aggregate query: orders held now (dispatched, accepted, in service), and over
    orders dispatched in the last year the ratings and the hours from dispatch to
    acceptance (a negative span counts as 0 hours). The durations are summed by the
    database (``accepted_at − dispatched_at`` as a DurationField: an interval on
    PostgreSQL, microseconds on SQLite), so no order row comes into Python."""
    since = timezone.now() - HISTORY
    recent = Q(dispatched_at__gte=since)
    rated = recent & Q(rating_level__isnull=False)
    accepted = recent & Q(accepted_at__isnull=False)
    span = ExpressionWrapper(F("accepted_at") - F("dispatched_at"), output_field=DurationField())
    rows = (
        Order.objects.filter(team_id__in=ids)
        .filter(recent | Q(state__in=TEAM_LOAD_STATES))
        .values("team_id")
        .annotate(
            load=Count("id", filter=Q(state__in=TEAM_LOAD_STATES)),
            rating_sum=Sum("rating_level", filter=rated),
            rating_n=Count("id", filter=rated),
            resp_sum=Sum(span, filter=accepted & Q(accepted_at__gt=F("dispatched_at"))),
            resp_n=Count("id", filter=accepted),
        )
        .order_by()
        .values_list("team_id", "load", "rating_sum", "rating_n", "resp_sum", "resp_n")
    )
    zero = timedelta(0)
    return {
        tid: (load, rs or 0, rn, (rsum or zero).total_seconds() / 3600.0, an)
        for tid, load, rs, rn, rsum, an in rows
    }


def team_arrays(
    teams: Sequence[Team],
    projects: Iterable[int] = (),
    *,
    named: dict[int, set[int]] | None = None,
) -> TeamArrays:
    """The score's facts for these teams in one query (two with ``projects``): load now,
    ratings and response times over the last year (:func:`history_facts`), and which of
    them deliver each of the ordered ``projects``. ``named``: project id → ids of the
    teams it names, when the caller already read them (:func:`candidate_teams`)."""
    ids = [t.pk for t in teams]
    project_teams: dict[int, np.ndarray] = {}
    project_ids = {int(p) for p in projects if p}
    if project_ids:
        row_of = {tid: j for j, tid in enumerate(ids)}
        if named is None:
            pairs: Iterable[tuple[int, int]] = Team.projects.through.objects.filter(
                project_id__in=project_ids, team_id__in=ids
            ).values_list("project_id", "team_id")
        else:
            pairs = [
                (pid, tid)
                for pid in project_ids
                for tid in sorted(named.get(pid, ()))
                if tid in row_of
            ]
        rows: dict[int, list[int]] = {}
        for pid, tid in pairs:
            rows.setdefault(pid, []).append(row_of[tid])
        project_teams = {pid: np.array(r, dtype=np.int64) for pid, r in rows.items()}
    facts = history_facts(ids)
    none = (0, 0, 0, 0.0, 0)
    f = [facts.get(i, none) for i in ids]
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
        load=np.array([x[0] for x in f], dtype=np.int64),
        rating_sum=np.array([x[1] for x in f], dtype=float),
        rating_count=np.array([x[2] for x in f], dtype=float),
        response_hours_sum=np.array([x[3] for x in f], dtype=float),
        response_count=np.array([x[4] for x in f], dtype=float),
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


def _one_with_relations(order: Order) -> Order:
    """One order with its region, site and project: as given when they are already on
    the object (the API's ``order_get`` and the services' ``lock`` select them), else
    read (as :func:`_with_relations`)."""
    relations = (Order.region, Order.site, Order.project)
    if all(r.field.is_cached(order) for r in relations):
        return order
    return _with_relations([order])[0]


def _with_relations(orders: Iterable[Order]) -> list[Order]:
    ids = [o.pk for o in orders]
    by_id = Order.objects.select_related("region", "site", "project").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


# What the engine reads of a candidate team, its region and its home site (the rest of
# the rows — times, texts, codes — stays unread), in the models' column order.
_TEAM_COLUMNS = (
    "id", "name", "home_site_id", "region_id", "service_categories", "capacity", "latitude",
    "longitude", "is_active",
)  # fmt: skip
_REGION_COLUMNS = ("id", "path", "latitude", "longitude")
_SITE_COLUMNS = ("id", "latitude", "longitude")


class _Place:
    __slots__ = ("path", "latitude", "longitude")

    def __init__(self, path, latitude, longitude):
        self.path, self.latitude, self.longitude = path, latitude, longitude


class CandidateTeam:
    """A candidate team as the engine reads it, from one row (``_TEAM_COLUMNS`` and its
    region's and home site's place): the ~hundreds of candidates of a dispatch are
    ranked without building three model instances each (most of a dispatch's Python
    time). The teams handed back to callers are models again (:func:`_as_model`)."""

    __slots__ = (*_TEAM_COLUMNS, "region", "home_site", "db")

    def __init__(self, row: tuple, db: str):
        self.db = db  # the connection it was read from (a replica's, perhaps)
        *team, region_path, region_lat, region_lon, site_lat, site_lon = row
        for name, value in zip(_TEAM_COLUMNS, team, strict=True):
            setattr(self, name, value)
        self.region = _Place(region_path, region_lat, region_lon)
        self.home_site = _Place(None, site_lat, site_lon) if self.home_site_id is not None else None

    @property
    def pk(self) -> int:
        return self.id


def _as_model(team) -> Team:
    """``team`` as a ``Team`` with the same fields read (the others deferred, as
    ``only()`` gives them), its region and home site attached: no query."""
    if not isinstance(team, CandidateTeam):
        return team
    db = team.db
    model = Team.from_db(db, _TEAM_COLUMNS, [getattr(team, c) for c in _TEAM_COLUMNS])
    r = team.region
    model.region = Region.from_db(
        db, _REGION_COLUMNS, [team.region_id, r.path, r.latitude, r.longitude]
    )
    if team.home_site is not None:
        site_model = Team._meta.get_field("home_site").related_model
        model.home_site = site_model.from_db(
            db,
            _SITE_COLUMNS,
            [team.home_site_id, team.home_site.latitude, team.home_site.longitude],
        )
    return model


def candidate_teams(orders: Sequence[Order]) -> tuple[list[Team], np.ndarray]:
    """Active teams eligible for any of the orders, and the (n, m) eligibility mask: the
    batch form of :func:`~xinfeng.orders.policy.team_may_take_order`."""
    teams, mask, _named = _candidates(orders)
    return [_as_model(t) for t in teams], mask


def _candidates(
    orders: Sequence[Order],
) -> tuple[list[CandidateTeam], np.ndarray, dict[int, set[int]]]:
    """:func:`candidate_teams` (as ``CandidateTeam`` rows), and project id → the teams
    each ordered project names."""
    areas = [dispatch_area_path(o.region) for o in orders]
    named: dict[int, set[int]] = {}
    project_ids = {o.project_id for o in orders if o.project_id}
    if project_ids:
        for pid, tid in Team.projects.through.objects.filter(
            project_id__in=project_ids
        ).values_list("project_id", "team_id"):
            named.setdefault(pid, set()).add(tid)
    named_ids = set().union(*named.values()) if named else set()
    qs = (
        Team.objects.filter(is_active=True)
        .filter(subtree_q(set(areas), "region__path") | Q(pk__in=named_ids))
        .order_by("id")
    )
    teams = [
        CandidateTeam(row, qs.db)
        for row in qs.values_list(
            *_TEAM_COLUMNS,
            "region__path",
            "region__latitude",
            "region__longitude",
            "home_site__latitude",
            "home_site__longitude",
        )
    ]
    mask = np.zeros((len(orders), len(teams)), dtype=bool)
    for i, (o, area) in enumerate(zip(orders, areas, strict=True)):
        own = named.get(o.project_id, set())
        for j, t in enumerate(teams):
            mask[i, j] = team_in_area_or_named(t, area, own)
    return teams, mask, named


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
    order = _one_with_relations(order)
    teams, mask, named = _candidates([order])
    teams = [t for t, ok in zip(teams, mask[0], strict=True) if ok]
    if not teams:
        return []
    o_arr = order_arrays([order])
    t_arr = team_arrays(teams, [order.project_id], named=named)
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
        team = _as_model(teams[entry["team_row"]])
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
    order = _one_with_relations(order)
    teams, mask, named = _candidates([order])
    teams = [t for t, ok in zip(teams, mask[0], strict=True) if ok]
    if team.pk not in {t.pk for t in teams}:
        teams.append(Team.objects.select_related("region", "home_site").get(pk=team.pk))
    j = next(i for i, t in enumerate(teams) if t.pk == team.pk)
    w = get_weights(weights)
    o_arr = order_arrays([order])
    t_arr = team_arrays(teams, [order.project_id], named=named)
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
    named: dict[int, set[int]] | None = None
    if teams is None:
        teams, mask, named = _candidates(orders)
    else:
        teams = list(
            Team.objects.filter(pk__in=[t.pk for t in teams], is_active=True)
            .select_related("region", "home_site")
            .order_by("id")
        )
        mask = np.ones((len(orders), len(teams)), dtype=bool)
    w = get_weights(weights)
    o_arr = order_arrays(orders)
    t_arr = team_arrays(teams, [o.project_id for o in orders], named=named)
    cost = cost_matrix(o_arr, t_arr, w)
    cost[~mask] = np.inf
    plan = plan_dispatch(o_arr, t_arr, weights=w, k=k, cost=cost)
    result = AutoDispatchPlan(plan=plan)
    levels = region_levels({o.region.path for o in orders}) if plan.result.team.size else {}
    for row, (order, entry) in enumerate(zip(orders, plan.explanations, strict=True)):
        if entry["team_row"] is None:
            result.unassigned.append((order, entry))
        else:
            team = _as_model(teams[entry["team_row"]])
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
