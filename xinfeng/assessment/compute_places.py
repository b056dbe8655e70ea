"""Automatic figures of townships and villages, set-based: one grouped query per metric for
all the places of a call (a province has ~1,300 townships and ~18,000 villages: never a
query per place). Each query counts rows per region id under the call's root — the run's
root when the places lie in it (``Context.root``), else the places' common ancestor — and
the counts are summed up to every place whose path is a prefix of the row's region path
(fixed-width paths: "in the subtree of P" is "path starts with P"). The per-region counts
are kept in the run's ``Context``, so the township level and the village level of one run
share one query per metric.

The 三问 figures use the same machinery from ``compute_surveys.py``; ``compute.place_figures``
runs either family for a list of places, and the one-place forms (``compute.compute``,
``compute_surveys.survey_figure``) call the same code with a single place, so there is one
implementation; the tests compare it with independent counts over the seeded rows.
"""

import os
from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from xinfeng.regions.models import PATH_SEGMENT, Region, subtree_q

from .choices import EntryStatus
from .figures import Context, Figure, Period, _as_of, _ratio
from .metrics import formula


def _formula(metric: str) -> str:
    return formula(metric)


class Places:
    """The places of one call, the root every query is bounded by, and which places a
    region path belongs to."""

    def __init__(self, regions: list[Region], ctx: Context):
        self.regions = regions
        self.ctx = ctx
        self.by_path = {r.path: r for r in regions}
        self.widths = sorted({len(r.path) for r in regions})
        root = ctx.root
        if root is not None and all(r.path.startswith(root.path) for r in regions):
            self.root = root.path
        else:
            common = os.path.commonprefix([r.path for r in regions])
            self.root = common[: len(common) // PATH_SEGMENT * PATH_SEGMENT]

    def owners(self, path: str) -> Iterable[Region]:
        for w in self.widths:
            if w > len(path):
                break
            r = self.by_path.get(path[:w])
            if r is not None:
                yield r

    def within(self, field: str) -> Q:
        """Rows whose ``field`` (a region path) lies under the root."""
        return subtree_q([self.root], field) if self.root else Q()

    def paths(self) -> dict[int, str]:
        """Region id → path of every region under the root (once per run)."""
        return self.ctx.memo(
            ("paths", self.root),
            lambda: dict(Region.objects.filter(self.within("path")).values_list("pk", "path")),
        )

    def per_region(self, key: tuple, query: Callable[[], Iterable[tuple]]) -> dict[int, tuple]:
        """``query()`` yields (region id, count, …); kept in the run's context."""
        return self.ctx.memo((*key, self.root), lambda: {row[0]: tuple(row[1:]) for row in query()})

    def sum_up(self, rows: dict[int, tuple], size: int) -> dict[int, list]:
        """Per place pk: the sums of the rows of the regions in its subtree."""
        paths = self.paths()
        out = {r.pk: [0] * size for r in self.regions}
        for region_id, values in rows.items():
            path = paths.get(region_id)
            if path is None:
                continue
            for place in self.owners(path):
                acc = out[place.pk]
                for i, v in enumerate(values):
                    acc[i] += v or 0
        return out


def _grouped(qs, region_field: str, **aggregates):
    """(region id, *aggregates) rows of ``qs`` grouped by ``region_field``."""
    names = list(aggregates)
    return (
        qs.values_list(region_field)
        .annotate(**aggregates)
        .values_list(region_field, *names)
        .order_by()
    )


def _shares(places: Places, sums: dict[int, list], metric: str, link, scale=100):
    """Figures ``numerator / denominator × scale`` from sums of (denominator, numerator)."""
    out = {}
    for r in places.regions:
        n, ok = sums[r.pk]
        out[r.pk] = Figure(_ratio(ok, n, scale), Decimal(ok), Decimal(n), _formula(metric), link(r))
    return out


def activities_per_station_month(places: Places, period: Period) -> dict[int, Figure]:
    from xinfeng.activities.choices import ActivityState
    from xinfeng.activities.models import Activity
    from xinfeng.places.choices import SiteLevel
    from xinfeng.places.models import Site

    lo, hi = period.bounds()
    held = places.sum_up(
        places.per_region(
            ("activities_held", period.key),
            lambda: _grouped(
                Activity.objects.filter(
                    places.within("region__path"),
                    state=ActivityState.FINISHED,
                    starts_at__gte=lo,
                    starts_at__lt=hi,
                ),
                "region_id",
                n=Count("id"),
            ),
        ),
        1,
    )
    stations = places.sum_up(
        places.per_region(
            ("stations",),
            lambda: _grouped(
                Site.objects.filter(places.within("region__path"), level=SiteLevel.STATION),
                "region_id",
                n=Count("id"),
            ),
        ),
        1,
    )
    out = {}
    for r in places.regions:
        n, s = held[r.pk][0], stations[r.pk][0] * period.months
        out[r.pk] = Figure(
            _ratio(n, s),
            Decimal(n),
            Decimal(s),
            _formula("activities_per_station_month"),
            f"/activities/?region={r.pk}",
        )
    return out


def satisfaction(places: Places, period: Period) -> dict[int, Figure]:
    from xinfeng.orders.models import OrderRating

    lo, hi = period.bounds()
    rows = places.per_region(
        ("ratings", period.key),
        lambda: _grouped(
            OrderRating.objects.filter(
                places.within("order__region__path"), created_at__gte=lo, created_at__lt=hi
            ),
            "order__region_id",
            n=Count("id"),
            good=Count("id", filter=Q(level__gte=4)),
        ),
    )
    return _shares(
        places, places.sum_up(rows, 2), "satisfaction", lambda r: f"/orders/queue/?region={r.pk}"
    )


def follow_ups_done(places: Places, period: Period) -> dict[int, Figure]:
    from xinfeng.orders.choices import FollowUpStatus
    from xinfeng.orders.models import FollowUp

    lo, hi = period.bounds()
    rows = places.per_region(
        ("follow_ups", period.key),
        lambda: _grouped(
            FollowUp.objects.filter(
                places.within("region__path"), opened_at__gte=lo, opened_at__lt=hi
            ),
            "region_id",
            n=Count("id"),
            done=Count("id", filter=Q(status=FollowUpStatus.DONE)),
        ),
    )
    return _shares(
        places, places.sum_up(rows, 2), "follow_ups_done", lambda r: "/orders/follow-ups/"
    )


def volunteers_per_1000(places: Places, period: Period) -> dict[int, Figure]:
    from xinfeng.volunteers.models import Volunteer

    _lo, hi = period.bounds()
    sums = places.sum_up(
        places.per_region(
            ("volunteers", period.key),
            lambda: _grouped(
                Volunteer.objects.filter(places.within("home_region__path"), created_at__lt=hi),
                "home_region_id",
                n=Count("id"),
            ),
        ),
        1,
    )
    out = {}
    for r in places.regions:
        n, population = sums[r.pk][0], r.population or 0
        out[r.pk] = Figure(
            _ratio(n, population, 1000),
            Decimal(n),
            Decimal(population),
            _formula("volunteers_per_1000"),
            f"/volunteers/manage/?region={r.pk}",
        )
    return out


def active_volunteers(places: Places, period: Period) -> dict[int, Figure]:
    """Volunteers who served in the period, counted by their home region (a semi-join:
    each volunteer once, so the counts of the regions add up)."""
    from xinfeng.volunteers.models import ServiceRecord, Volunteer

    lo, hi = period.bounds()
    served = ServiceRecord.objects.filter(started_at__gte=lo, started_at__lt=hi)
    sums = places.sum_up(
        places.per_region(
            ("active_volunteers", period.key),
            lambda: _grouped(
                Volunteer.objects.filter(
                    places.within("home_region__path"), id__in=served.values("volunteer_id")
                ),
                "home_region_id",
                n=Count("id"),
            ),
        ),
        1,
    )
    out = {}
    for r in places.regions:
        n = Decimal(sums[r.pk][0])
        out[r.pk] = Figure(
            n, n, None, _formula("active_volunteers"), f"/volunteers/manage/?region={r.pk}"
        )
    return out


def funding_executed(places: Places, period: Period) -> dict[int, Figure]:
    """Posted spending in the place's subtree in the period against the posted allocations
    the place itself received for the period's years."""
    from .models import Allocation, Expenditure

    years = list(range(period.start.year, (period.end - timedelta(days=1)).year + 1))
    posted = Q(status=EntryStatus.POSTED, year__in=years)
    received = places.per_region(
        ("received", tuple(years)),
        lambda: _grouped(
            Allocation.objects.filter(posted, places.within("region__path")),
            "region_id",
            s=Sum("amount_fen"),
        ),
    )
    spent = places.sum_up(
        places.per_region(
            ("spent", period.key),
            lambda: _grouped(
                Expenditure.objects.filter(
                    posted,
                    places.within("region__path"),
                    spent_on__gte=period.start,
                    spent_on__lt=period.end,
                ),
                "region_id",
                s=Sum("amount_fen"),
            ),
        ),
        1,
    )
    out = {}
    for r in places.regions:
        got, used = (received.get(r.pk) or (0,))[0] or 0, spent[r.pk][0]
        out[r.pk] = Figure(
            _ratio(used, got, 100),
            Decimal(used),
            Decimal(got),
            _formula("funding_executed"),
            f"/assessment/funding/?region={r.pk}&year={period.start.year}",
        )
    return out


def _on_time(step: str, done_field: str, metric: str):
    """Share of orders whose ``step`` fell due in the period and was done by its deadline,
    among those done or already overdue (a step not yet due does not count)."""

    def figures(places: Places, period: Period) -> dict[int, Figure]:
        from xinfeng.orders.models import Order

        lo, hi = period.bounds()
        now = timezone.now()
        due = f"{step}_due_at"
        rows = places.per_region(
            (metric, period.key),
            lambda: _grouped(
                Order.objects.filter(
                    places.within("region__path"), **{f"{due}__gte": lo, f"{due}__lt": hi}
                ).filter(Q(**{f"{done_field}__isnull": False}) | Q(**{f"{due}__lt": now})),
                "region_id",
                n=Count("id"),
                ok=Count("id", filter=Q(**{f"{done_field}__lte": F(due)})),
            ),
        )
        return _shares(
            places, places.sum_up(rows, 2), metric, lambda r: f"/orders/queue/?region={r.pk}"
        )

    return figures


def coverage_15min(places: Places, period: Period) -> dict[int, Figure]:
    """Share of the population within a 15-minute walk of a site open at the period's end
    (places' coverage report of the run's root, computed once per run)."""
    when = _as_of(period)
    out = {}
    for r in places.regions:
        row = places.ctx.coverage(r, when).regions.get(r.pk)
        population = Decimal(str(round(row.population, 2))) if row else Decimal(0)
        covered = Decimal(str(round(row.covered, 2))) if row else Decimal(0)
        out[r.pk] = Figure(
            _ratio(covered, population, 100),
            covered,
            population,
            _formula("coverage_15min"),
            f"/insights/coverage/?region={r.pk}",
        )
    return out


def _village_shares(places: Places, metric: str, flags: Iterable[tuple[str, bool]], link):
    """Per place: (villages of its subtree, those flagged) from (village path, flag)."""
    sums = {r.pk: [0, 0] for r in places.regions}
    for path, flag in flags:
        for place in places.owners(path):
            sums[place.pk][0] += 1
            sums[place.pk][1] += flag
    return _shares(places, sums, metric, link)


def villages_covered(places: Places, period: Period) -> dict[int, Figure]:
    """Villages (with residents on the population layer) where most residents are within
    the circle at the period's end: the complement of the coverage report's
    ``uncovered_villages``."""
    from xinfeng.regions.choices import RegionLevel

    when = _as_of(period)
    by_report: dict[int, tuple] = {}
    for r in places.regions:
        report = places.ctx.coverage(r, when)
        by_report.setdefault(id(report), (report, []))[1].append(r)
    out = {}
    for report, regions in by_report.values():
        uncovered = {v.id for v in report.uncovered_villages()}
        flags = (
            (v.path, v.id not in uncovered)
            for v in report.regions.values()
            if v.level == RegionLevel.VILLAGE and v.population > 0
        )
        sub = Places(regions, places.ctx)
        out |= _village_shares(
            sub, "villages_covered", flags, lambda r: f"/insights/coverage/?region={r.pk}"
        )
    return out


def _villages(places: Places) -> list[str]:
    from xinfeng.regions.choices import RegionLevel

    return places.ctx.memo(
        ("villages", places.root),
        lambda: list(
            Region.objects.filter(places.within("path"), level=RegionLevel.VILLAGE).values_list(
                "path", flat=True
            )
        ),
    )


def _villages_with(places: Places, metric: str, paths: Iterable[str], link):
    villages = _villages(places)
    widths = {len(v) for v in villages}
    hit = {p[:w] for p in paths for w in widths}
    return _village_shares(places, metric, ((v, v in hit) for v in villages), link)


def villages_with_station(places: Places, period: Period) -> dict[int, Figure]:
    from xinfeng.places.choices import SiteLevel
    from xinfeng.places.models import Site

    when = _as_of(period)
    paths = places.ctx.memo(
        ("station_paths", when, places.root),
        lambda: set(
            Site.objects.open_at(when)
            .filter(places.within("region__path"), level=SiteLevel.STATION)
            .values_list("region__path", flat=True)
        ),
    )
    return _villages_with(
        places, "villages_with_station", paths, lambda r: f"/places/sites/?region={r.pk}"
    )


def villages_with_activity(places: Places, period: Period) -> dict[int, Figure]:
    from xinfeng.activities.choices import ActivityState
    from xinfeng.activities.models import Activity

    lo, hi = period.bounds()
    paths = places.ctx.memo(
        ("activity_paths", period.key, places.root),
        lambda: set(
            Activity.objects.filter(
                places.within("region__path"),
                state=ActivityState.FINISHED,
                starts_at__gte=lo,
                starts_at__lt=hi,
            )
            .values_list("region__path", flat=True)
            .distinct()
        ),
    )
    return _villages_with(
        places, "villages_with_activity", paths, lambda r: f"/activities/?region={r.pk}"
    )


COMPUTE_PLACES = {
    "orders_reviewed_on_time": _on_time("review", "reviewed_at", "orders_reviewed_on_time"),
    "orders_dispatched_on_time": _on_time("dispatch", "dispatched_at", "orders_dispatched_on_time"),
    "orders_accepted_on_time": _on_time("accept", "accepted_at", "orders_accepted_on_time"),
    "coverage_15min": coverage_15min,
    "villages_covered": villages_covered,
    "villages_with_station": villages_with_station,
    "villages_with_activity": villages_with_activity,
    "activities_per_station_month": activities_per_station_month,
    "satisfaction": satisfaction,
    "follow_ups_done": follow_ups_done,
    "volunteers_per_1000": volunteers_per_1000,
    "active_volunteers": active_volunteers,
    "funding_executed": funding_executed,
}
