"""Reads of the dashboards: rollup rows only (``RegionStat``, ``RollupRun``), scoped.

A dashboard request runs a fixed handful of queries whatever the size of the region
(a test pins the count and checks that no raw table is touched).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xinfeng.accounts.choices import READ_ROLES
from xinfeng.accounts.scope import get_in_scope, scope_paths
from xinfeng.core.errors import NotAuthenticated, NotFound
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, path_upper_bound

from .models import RANKING_COLUMNS, RegionStat, RollupRun, ranking_key

# Ranking metrics: the typed columns of RegionStat (descending; missing values last).
RANKINGS = RANKING_COLUMNS
TOP_VILLAGES = 10


def dashboard_region(*, user, region_id: int | None = None) -> Region:
    """The region to show: the one asked for if the user may read it (404 otherwise, like a
    missing one), else the user's own top region."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    if region_id is not None:
        return get_in_scope(
            Region.objects.all(), user, path_field="path", roles=READ_ROLES, pk=region_id
        )
    paths = scope_paths(user, READ_ROLES)
    if paths is None:
        return top_region()
    if not paths:
        raise NotFound()
    return Region.objects.get(path=paths[0])


def top_region() -> Region:
    """The highest region with more than one child (skipping a lone province → city chain,
    so a single-city install opens at the city)."""
    region = Region.objects.filter(parent__isnull=True).order_by("path").first()
    if region is None:
        raise NotFound()
    while True:
        kids = list(Region.objects.filter(parent=region).order_by("path")[:2])
        if len(kids) != 1:
            return region
        region = kids[0]


def readable_ancestors(*, user, region: Region) -> list[Region]:
    """The ancestors the user may also open (breadcrumbs)."""
    paths = scope_paths(user, READ_ROLES)
    out = []
    for a in region.ancestors():
        if paths is None or any(a.path.startswith(p) for p in paths):
            out.append(a)
    return out


@dataclass
class Dashboard:
    region: Region
    stat: RegionStat | None
    children: list[RegionStat]
    villages: list[RegionStat]
    ranking: str
    last_run: dict | None
    ancestors: list[Region] = field(default_factory=list)

    @property
    def figures(self) -> dict:
        return self.stat.figures if self.stat else {}

    @property
    def months(self) -> dict:
        return self.stat.months if self.stat else {}


def _ordered(qs, ranking: str):
    return qs.order_by(ranking_key(ranking).desc(), "path")


def dashboard(*, user, region: Region, ranking: str = "hours") -> Dashboard:
    """Everything the dashboard page shows, read from the rollup tables."""
    if ranking not in RANKINGS:
        ranking = "hours"
    stat = RegionStat.objects.filter(region=region).first()
    children = list(
        _ordered(RegionStat.objects.filter(region__parent=region).select_related("region"), ranking)
    )
    villages: list[RegionStat] = []
    children_are_villages = bool(children) and children[0].level == RegionLevel.VILLAGE
    if region.level != RegionLevel.VILLAGE and not children_are_villages:
        villages = list(
            _ordered(
                RegionStat.objects.filter(
                    level=RegionLevel.VILLAGE,
                    path__gte=region.path,
                    path__lte=path_upper_bound(region.path),
                ).select_related("region"),
                ranking,
            )[:TOP_VILLAGES]
        )
    last_run = (
        RollupRun.objects.filter(status=RollupRun.Status.OK)
        .order_by("-finished_at")
        .values("finished_at", "duration_ms")
        .first()
    )
    return Dashboard(
        region=region,
        stat=stat,
        children=children,
        villages=villages,
        ranking=ranking,
        last_run=last_run,
        ancestors=readable_ancestors(user=user, region=region),
    )


def uncovered_villages(*, region: Region, below: float, limit: int = 500) -> list[RegionStat]:
    """Villages of the subtree whose residents are mostly outside the 15-minute circle
    (from the rollup), most uncovered first."""
    rows = RegionStat.objects.filter(
        level=RegionLevel.VILLAGE,
        path__gte=region.path,
        path__lte=path_upper_bound(region.path),
        coverage__lt=below,
    ).select_related("region")
    rows = sorted(
        rows,
        key=lambda s: -(s.figures.get("population", 0) - s.figures.get("population_covered", 0)),
    )
    return rows[:limit]
