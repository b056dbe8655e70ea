"""The rollup: every dashboard figure for every region, added up by the worker.

One run reads each raw table once with a grouped query per figure family
(``insights.sources``), puts the per-region values into numpy arrays, adds every region's
values to its parent's from the deepest level up (so a township holds the sum of its
villages, a city of its townships: one pass, any depth), and rewrites only the
``RegionStat`` rows whose figures changed. The 15-minute-circle coverage is computed in
the same run (``places.coverage_report``).

Pages never aggregate raw tables; they read ``RegionStat`` and say how old it is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import traceback
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from xinfeng.orders.choices import OPEN_STATES
from xinfeng.places.coverage_report import coverage_report
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from . import conf
from .metrics import MONTHLY_METRICS, ORDER_STEPS, SCALAR_METRICS
from .models import RegionStat, RollupRun
from .sources import SOURCES, Window

log = logging.getLogger(__name__)

S_INDEX = {m: i for i, m in enumerate(SCALAR_METRICS)}
M_INDEX = {m: i for i, m in enumerate(MONTHLY_METRICS)}
# Levels whose stat rows carry new-point suggestions of the 15-minute circle.
SUGGEST_LEVELS = (
    RegionLevel.PROVINCE,
    RegionLevel.CITY,
    RegionLevel.COUNTY,
    RegionLevel.TOWNSHIP,
)
# Figures kept with two decimals; every other figure is a whole count.
FRACTIONAL = {"service_hours"}
OPEN_ORDER_KEYS = [f"orders_{s}" for s in OPEN_STATES]
# Rewriting more rows than this refreshes the table's planner statistics (PostgreSQL).
ANALYZE_AFTER = 500


@dataclass
class Tree:
    """The regions as arrays: ids, parent positions, depths (ordered by path)."""

    ids: np.ndarray
    parent: np.ndarray  # position of the parent, -1 for a root
    depth: np.ndarray
    paths: list[str]
    levels: list[str]
    position: dict[int, int]

    @classmethod
    def load(cls) -> Tree:
        rows = list(
            Region.objects.order_by("path").values_list("id", "parent_id", "depth", "path", "level")
        )
        position = {r[0]: i for i, r in enumerate(rows)}
        return cls(
            ids=np.array([r[0] for r in rows], dtype=np.int64),
            parent=np.array([position.get(r[1], -1) for r in rows], dtype=np.int64),
            depth=np.array([r[2] for r in rows], dtype=np.int64),
            paths=[r[3] for r in rows],
            levels=[r[4] for r in rows],
            position=position,
        )

    def add_up(self, values: np.ndarray) -> None:
        """Add every row into its parent's, deepest level first (in place)."""
        for d in range(int(self.depth.max(initial=0)), 0, -1):
            rows = np.flatnonzero((self.depth == d) & (self.parent >= 0))
            if rows.size:
                np.add.at(values, self.parent[rows], values[rows])


def collect(tree: Tree, window: Window, timings: dict) -> tuple[np.ndarray, np.ndarray]:
    """Leaf values from every source, then summed up the tree."""
    n = len(tree.ids)
    scalars = np.zeros((n, len(SCALAR_METRICS)), dtype=np.float64)
    monthly = np.zeros((n, len(MONTHLY_METRICS), len(window.labels)), dtype=np.float64)
    month_index = {label: i for i, label in enumerate(window.labels)}
    pos = tree.position
    for name, source in SOURCES.items():
        t0 = time.perf_counter()
        for row in source(window):
            i = pos.get(row[1])
            if i is None:
                continue
            if row[0] == "s":
                scalars[i, S_INDEX[row[2]]] += float(row[3])
            else:
                j = month_index.get(row[3])
                if j is not None:
                    monthly[i, M_INDEX[row[2]], j] += float(row[4])
        timings[name] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    tree.add_up(scalars)
    tree.add_up(monthly)
    timings["add_up"] = round(time.perf_counter() - t0, 3)
    return scalars, monthly


def as_stored(values: np.ndarray, keys: list[str]) -> list[list]:
    """Rows of plain Python numbers: whole counts as ints, fractional figures to 2 places.
    Done for the whole matrix at once (rounding numpy scalars one by one is slow)."""
    whole = np.rint(values).astype(np.int64).tolist()
    frac = np.round(values, 2).tolist()
    cols = [i for i, k in enumerate(keys) if k in FRACTIONAL]
    for w, f in zip(whole, frac, strict=True):
        for i in cols:
            w[i] = f[i]
    return whole


def figures_for(row: list) -> dict:
    """The stored figures of one region (``as_stored`` values), with the derived ratios."""
    f = dict(zip(SCALAR_METRICS, row, strict=True))
    f["audience_total"] = f["audience_online"] + f["audience_offline"]
    f["orders_open"] = sum(f[k] for k in OPEN_ORDER_KEYS)
    f["satisfaction"] = round(f["rating_sum"] / f["rating_count"], 2) if f["rating_count"] else None
    for step in ORDER_STEPS:
        done, due = f[f"ontime_{step}_ok"], f[f"ontime_{step}_all"]
        f[f"ontime_{step}"] = round(done / due, 4) if due else None
    pop = f["population"]
    f["coverage"] = round(f["population_covered"] / pop, 4) if pop else None
    return f


def months_for(series: list, labels) -> dict:
    """``series``: one list per monthly metric (``as_stored`` values)."""
    out = {"labels": list(labels)}
    out.update(zip(MONTHLY_METRICS, series, strict=True))
    return out


def _digest(figures: dict, months: dict) -> str:
    raw = json.dumps([figures, months], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.md5(raw.encode(), usedforsecurity=False).hexdigest()


def run_rollup(*, trigger: str = "manual", now=None) -> RollupRun:
    """Recompute every region's figures and store the changed ones. Safe to run at any
    time and concurrently (last writer wins with equally fresh data)."""
    now = now or timezone.now()
    run = RollupRun.objects.create(started_at=now, trigger=trigger[:20])
    started = time.perf_counter()
    timings: dict = {}
    try:
        window = Window.at(now)
        tree = Tree.load()
        scalars, monthly = collect(tree, window, timings)

        t0 = time.perf_counter()
        report = coverage_report(
            minutes=conf.walk_minutes(), speed_kmh=conf.walk_speed_kmh(), when=now, picks=0
        )
        pop_i, cov_i = S_INDEX["population"], S_INDEX["population_covered"]
        for rid, rc in report.regions.items():
            i = tree.position.get(rid)
            if i is not None:
                scalars[i, pop_i], scalars[i, cov_i] = rc.population, rc.covered
        timings["coverage"] = round(time.perf_counter() - t0, 3)

        t0 = time.perf_counter()
        existing = dict(RegionStat.objects.values_list("region_id", "digest"))
        changed = []
        stored = as_stored(scalars, SCALAR_METRICS)
        _regions, n_monthly, n_months = monthly.shape
        stored_months = as_stored(
            monthly.transpose(0, 2, 1).reshape(-1, n_monthly),
            MONTHLY_METRICS,
        )
        for i, rid in enumerate(tree.ids.tolist()):
            figures = figures_for(stored[i])
            if tree.levels[i] in SUGGEST_LEVELS and report.point_count:
                figures["suggestions"] = [
                    {
                        "lat": s.latitude,
                        "lng": s.longitude,
                        "gain": round(s.gain),
                        "region": s.region_name,
                    }
                    for s in report.suggest(rid, picks=conf.SUGGESTIONS)
                ]
            block = stored_months[i * n_months : (i + 1) * n_months]
            months = months_for([list(col) for col in zip(*block, strict=True)], window.labels)
            digest = _digest(figures, months)
            if existing.get(rid) == digest:
                continue
            changed.append(
                RegionStat(
                    region_id=rid,
                    path=tree.paths[i],
                    depth=int(tree.depth[i]),
                    level=tree.levels[i],
                    volunteers=figures["volunteers_registered"],
                    hours=figures["service_hours"],
                    activities=figures["activities_total"],
                    audience=figures["audience_total"],
                    orders=figures["orders_total"],
                    satisfaction=figures["satisfaction"],
                    coverage=figures["coverage"],
                    figures=figures,
                    months=months,
                    digest=digest,
                    computed_at=now,
                )
            )
        timings["prepare"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        with transaction.atomic():
            RegionStat.objects.bulk_create(
                changed,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["region"],
                update_fields=[
                    "path",
                    "depth",
                    "level",
                    "volunteers",
                    "hours",
                    "activities",
                    "audience",
                    "orders",
                    "satisfaction",
                    "coverage",
                    "figures",
                    "months",
                    "digest",
                    "computed_at",
                ],
            )
        if connection.vendor == "postgresql" and len(changed) > ANALYZE_AFTER:
            # Fresh statistics, so rankings use their index instead of sorting a province.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {RegionStat._meta.db_table}")
        timings["write"] = round(time.perf_counter() - t0, 3)
        run.status = RollupRun.Status.OK
        run.regions = len(tree.ids)
        run.changed = len(changed)
    except Exception:
        run.status = RollupRun.Status.FAILED
        run.error = traceback.format_exc()[-4000:]
        log.exception("insights rollup failed")
        raise
    finally:
        run.finished_at = timezone.now()
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.timings = timings
        run.save()
    return run
