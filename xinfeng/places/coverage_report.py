"""The 15-minute circle per region, from the population layer and the open practice sites.

``coverage_report(root=...)`` loads the population points of a subtree and every open site
near them, decides which residents are within the walking radius (``places.coverage``),
and adds the result up the region tree by path prefix. It reads raw tables, so pages use
the figures the insights rollup stores, or cache a report (``cached_coverage_report``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.core.cache import cache
from django.utils import timezone

from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import PATH_SEGMENT, Region, subtree_q

from .coverage import (
    DEFAULT_WALK_MINUTES,
    DEFAULT_WALK_SPEED_KMH,
    EARTH_RADIUS_M,
    chord_m,
    covered_mask,
    greedy_new_sites,
    to_xyz,
    walk_radius_m,
)
from .models import PopulationPoint, Site

# A village counts as "uncovered" when fewer than this share of its residents live within
# the circle (most of the village is outside it).
UNCOVERED_SHARE = 0.5


@dataclass
class RegionCoverage:
    id: int
    name: str
    level: str
    path: str
    parent_id: int | None
    latitude: float | None
    longitude: float | None
    population: float = 0.0
    covered: float = 0.0

    @property
    def uncovered(self) -> float:
        return max(self.population - self.covered, 0.0)

    @property
    def share(self) -> float | None:
        return self.covered / self.population if self.population > 0 else None


@dataclass
class Suggestion:
    latitude: float
    longitude: float
    gain: float
    region_id: int | None
    region_name: str


@dataclass
class CoverageReport:
    minutes: float
    speed_kmh: float
    radius_m: float
    root_id: int | None
    regions: dict[int, RegionCoverage]
    suggestions: list[Suggestion]
    point_count: int
    site_count: int
    computed_at: datetime = field(default_factory=timezone.now)
    uncovered_share: float = UNCOVERED_SHARE
    # The arrays behind the figures, points sorted by their region's place in path order,
    # so any subtree's points are one contiguous slice (see ``suggest``).
    _arrays: dict | None = field(default=None, repr=False)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_arrays"] = None  # cached copies keep the figures, not the big arrays
        return state

    def suggest(self, region_id: int, picks: int = 1) -> list[Suggestion]:
        """Greedy new-point suggestions for the residents of one region's subtree."""
        region = self.regions.get(region_id)
        a = self._arrays
        if region is None or a is None:
            return []
        lo = np.searchsorted(a["path_keys"], region.path, side="left")
        hi = np.searchsorted(a["path_keys"], region.path + "~", side="left")
        if hi <= lo:
            return []
        rank_lo, rank_hi = lo, hi - 1
        start = np.searchsorted(a["rank"], rank_lo, side="left")
        stop = np.searchsorted(a["rank"], rank_hi, side="right")
        if stop <= start:
            return []
        sl = slice(start, stop)
        return self._suggestions(
            greedy_new_sites(
                a["xyz"][sl], a["weights"][sl], a["covered"][sl], a["chord"], picks=picks
            ),
            offset=start,
        )

    def _suggestions(self, picks, offset: int = 0) -> list[Suggestion]:
        a = self._arrays
        out = []
        for pick in picks:
            i = pick.candidate_index + offset
            region = self.regions.get(int(a["region_ids"][i]))
            out.append(
                Suggestion(
                    latitude=round(float(a["lats"][i]), 6),
                    longitude=round(float(a["lngs"][i]), 6),
                    gain=pick.gain,
                    region_id=region.id if region else None,
                    region_name=region.name if region else "",
                )
            )
        return out

    @property
    def root(self) -> RegionCoverage | None:
        return self.regions.get(self.root_id) if self.root_id else None

    def totals(self) -> tuple[float, float]:
        """(population, covered) over the whole report."""
        if self.root is not None:
            return self.root.population, self.root.covered
        tops = [r for r in self.regions.values() if r.parent_id not in self.regions]
        return sum(r.population for r in tops), sum(r.covered for r in tops)

    @property
    def share(self) -> float | None:
        pop, cov = self.totals()
        return cov / pop if pop > 0 else None

    def uncovered_villages(self) -> list[RegionCoverage]:
        """Villages where most residents are outside the circle, most uncovered first."""
        rows = [
            r
            for r in self.regions.values()
            if r.level == RegionLevel.VILLAGE
            and r.population > 0
            and (r.share or 0.0) < self.uncovered_share
        ]
        return sorted(rows, key=lambda r: (-r.uncovered, r.path))


def coverage_report(
    *,
    root: Region | None = None,
    minutes: float = DEFAULT_WALK_MINUTES,
    speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    when: datetime | None = None,
    picks: int = 1,
) -> CoverageReport:
    """Coverage of every region in ``root``'s subtree (all regions when ``root`` is None).

    Sites anywhere count (a village near a border is served by the neighbour's site);
    only sites open at ``when`` (default now) with coordinates are used.
    """
    radius = walk_radius_m(minutes, speed_kmh)
    regions_qs = Region.objects.all() if root is None else Region.objects.subtree(root)
    points_qs = PopulationPoint.objects.all()
    if root is not None:
        points_qs = points_qs.filter(subtree_q([root.path], "region__path"))
    rows = list(points_qs.values_list("latitude", "longitude", "weight", "region_id"))
    regions = {
        r["id"]: RegionCoverage(
            id=r["id"],
            name=r["short_name"] or r["name"],
            level=r["level"],
            path=r["path"],
            parent_id=r["parent_id"],
            latitude=r["latitude"],
            longitude=r["longitude"],
        )
        for r in regions_qs.values(
            "id", "name", "short_name", "level", "path", "parent_id", "latitude", "longitude"
        )
    }
    report = CoverageReport(
        minutes=minutes,
        speed_kmh=speed_kmh,
        radius_m=radius,
        root_id=root.pk if root is not None else None,
        regions=regions,
        suggestions=[],
        point_count=len(rows),
        site_count=0,
    )
    if not rows:
        return report
    data = np.array(rows, dtype=np.float64)
    # Sort the points by their region's rank in path order: a subtree is then a slice.
    path_order = sorted(regions.values(), key=lambda r: r.path)
    rank_of = {r.id: i for i, r in enumerate(path_order)}
    ranks = np.array([rank_of.get(int(rid), len(path_order)) for rid in data[:, 3]])
    order = np.argsort(ranks, kind="stable")
    data, ranks = data[order], ranks[order]
    lats, lngs, weights = data[:, 0].copy(), data[:, 1].copy(), data[:, 2].copy()
    region_ids = data[:, 3].astype(np.int64)
    # Only sites that could reach a point: the points' box grown by the radius.
    pad_lat = math.degrees(radius / EARTH_RADIUS_M)
    pad_lng = pad_lat / max(math.cos(math.radians(float(np.max(np.abs(lats))))), 0.01)
    sites = np.array(
        list(
            Site.objects.open_at(when)
            .filter(
                latitude__gte=float(lats.min()) - pad_lat,
                latitude__lte=float(lats.max()) + pad_lat,
                longitude__gte=float(lngs.min()) - pad_lng,
                longitude__lte=float(lngs.max()) + pad_lng,
            )
            .values_list("latitude", "longitude")
        ),
        dtype=np.float64,
    ).reshape(-1, 2)
    report.site_count = int(sites.shape[0])
    pop_xyz = to_xyz(lats, lngs)
    chord = chord_m(radius)
    covered = covered_mask(pop_xyz, to_xyz(sites[:, 0], sites[:, 1]), chord)

    _add_up_the_tree(regions, region_ids, weights, covered)
    report._arrays = {
        "xyz": pop_xyz,
        "weights": weights,
        "covered": covered,
        "chord": chord,
        "lats": lats,
        "lngs": lngs,
        "region_ids": region_ids,
        "rank": ranks,
        "path_keys": np.array([r.path for r in path_order]),
    }
    report.suggestions = report._suggestions(
        greedy_new_sites(pop_xyz, weights, covered, chord, picks=picks)
    )
    return report


def _add_up_the_tree(
    regions: dict[int, RegionCoverage],
    region_ids: np.ndarray,
    weights: np.ndarray,
    covered: np.ndarray,
) -> None:
    """Per-region sums of residents and covered residents, added to every ancestor in the
    report (by path prefix): one bincount, then a walk over the regions that hold points."""
    ids, inverse = np.unique(region_ids, return_inverse=True)
    pop = np.bincount(inverse, weights=weights)
    cov = np.bincount(inverse, weights=np.where(covered, weights, 0.0))
    by_path = {r.path: r for r in regions.values()}
    for rid, p, c in zip(ids.tolist(), pop.tolist(), cov.tolist(), strict=True):
        region = regions.get(rid)
        if region is None:
            continue
        for end in range(PATH_SEGMENT, len(region.path) + 1, PATH_SEGMENT):
            target = by_path.get(region.path[:end])
            if target is not None:
                target.population += p
                target.covered += c


def cached_coverage_report(
    *,
    root: Region | None = None,
    minutes: float = DEFAULT_WALK_MINUTES,
    speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    picks: int = 1,
    timeout: int = 300,
) -> CoverageReport:
    """``coverage_report`` cached for a few minutes per (root, minutes, speed).

    Site or population changes show after ``timeout`` seconds; the key also carries a
    cheap fingerprint of the site and population tables so edits usually show at once.
    """
    fingerprint = _fingerprint()
    key = f"xf:coverage:{root.pk if root else 0}:{minutes:g}:{speed_kmh:g}:{picks}:{fingerprint}"
    report = cache.get(key)
    if report is None:
        report = coverage_report(root=root, minutes=minutes, speed_kmh=speed_kmh, picks=picks)
        cache.set(key, report, timeout)
    return report


def _fingerprint() -> str:
    from django.db.models import Count, Max

    s = Site.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    p = PopulationPoint.objects.aggregate(n=Count("id"), m=Max("id"))
    stamp = s["m"].timestamp() if s["m"] else 0
    return f"{s['n']}-{stamp:.0f}-{p['n']}-{p['m']}"
