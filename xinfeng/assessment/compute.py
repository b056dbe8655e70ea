"""Automatic figures for a place and a period, counted from the lower apps' own tables
(activities, orders, volunteers, places) and the ledger — never from insights (same layer).

Each figure answers ``Figure(value, numerator, denominator, formula, link)``: what the
score shows next to it, and where the records behind it are. Built so far: activities per
station per month, satisfaction, follow-ups done, registered volunteers per 1,000
residents, active volunteers, funding executed, the on-time shares of orders (review,
dispatch, accept), and coverage per period: the 15-minute coverage at the period's end
(places' coverage report, sites open then), the share of a township's villages that are
covered, that have an open station, and that held an activity in the period.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from xinfeng.regions.models import Region, subtree_q

from .choices import EntryStatus
from .metrics import METRICS


@dataclass(frozen=True)
class Period:
    """A month (``2026-03``), a quarter (``2026-Q1``) or a year (``2026``); end exclusive."""

    key: str
    start: date
    end: date

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )


def _next_month(y: int, m: int) -> date:
    return date(y + (m == 12), m % 12 + 1, 1)


def parse_period(key: str) -> Period:
    key = (key or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})", key):
        y = int(m[1])
        return Period(key, date(y, 1, 1), date(y + 1, 1, 1))
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", key):
        y, q = int(m[1]), int(m[2])
        return Period(key, date(y, 3 * q - 2, 1), _next_month(y, 3 * q))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", key):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return Period(key, date(y, mo, 1), _next_month(y, mo))
    raise ValueError(key)


@dataclass(frozen=True)
class Figure:
    value: Decimal
    numerator: Decimal
    denominator: Decimal | None
    formula: str
    link: str


def _ratio(num, den, scale=1) -> Decimal:
    if not den:
        return Decimal(0)
    return (Decimal(num) * scale / Decimal(den)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def activities_per_station_month(region: Region, period: Period) -> Figure:
    from xinfeng.activities.choices import ActivityState
    from xinfeng.activities.models import Activity
    from xinfeng.places.choices import SiteLevel
    from xinfeng.places.models import Site

    lo, hi = period.bounds()
    held = Activity.objects.filter(
        subtree_q([region.path], "region__path"),
        state=ActivityState.FINISHED,
        starts_at__gte=lo,
        starts_at__lt=hi,
    ).count()
    stations = Site.objects.filter(
        subtree_q([region.path], "region__path"), level=SiteLevel.STATION
    ).count()
    return Figure(
        _ratio(held, stations * period.months),
        Decimal(held),
        Decimal(stations * period.months),
        str(METRICS["activities_per_station_month"]["formula"]),
        f"/activities/?region={region.pk}",
    )


def satisfaction(region: Region, period: Period) -> Figure:
    from xinfeng.orders.models import OrderRating

    lo, hi = period.bounds()
    ratings = OrderRating.objects.filter(
        subtree_q([region.path], "order__region__path"), created_at__gte=lo, created_at__lt=hi
    ).aggregate(n=Count("id"), good=Count("id", filter=Q(level__gte=4)))
    return Figure(
        _ratio(ratings["good"], ratings["n"], 100),
        Decimal(ratings["good"]),
        Decimal(ratings["n"]),
        str(METRICS["satisfaction"]["formula"]),
        f"/orders/queue/?region={region.pk}",
    )


def follow_ups_done(region: Region, period: Period) -> Figure:
    from xinfeng.orders.choices import FollowUpStatus
    from xinfeng.orders.models import FollowUp

    lo, hi = period.bounds()
    due = FollowUp.objects.filter(
        subtree_q([region.path], "region__path"), opened_at__gte=lo, opened_at__lt=hi
    )
    counts = due.aggregate(n=Count("id"), done=Count("id", filter=Q(status=FollowUpStatus.DONE)))
    return Figure(
        _ratio(counts["done"], counts["n"], 100),
        Decimal(counts["done"]),
        Decimal(counts["n"]),
        str(METRICS["follow_ups_done"]["formula"]),
        "/orders/follow-ups/",
    )


def volunteers_per_1000(region: Region, period: Period) -> Figure:
    from xinfeng.volunteers.models import Volunteer

    _lo, hi = period.bounds()
    n = Volunteer.objects.filter(
        subtree_q([region.path], "home_region__path"), created_at__lt=hi
    ).count()
    population = region.population or 0
    return Figure(
        _ratio(n, population, 1000),
        Decimal(n),
        Decimal(population),
        str(METRICS["volunteers_per_1000"]["formula"]),
        f"/volunteers/manage/?region={region.pk}",
    )


def active_volunteers(region: Region, period: Period) -> Figure:
    from xinfeng.volunteers.models import ServiceRecord

    lo, hi = period.bounds()
    n = (
        ServiceRecord.objects.filter(
            subtree_q([region.path], "volunteer__home_region__path"),
            started_at__gte=lo,
            started_at__lt=hi,
        )
        .values("volunteer_id")
        .distinct()
        .count()
    )
    return Figure(
        Decimal(n),
        Decimal(n),
        None,
        str(METRICS["active_volunteers"]["formula"]),
        f"/volunteers/manage/?region={region.pk}",
    )


def funding_executed(region: Region, period: Period) -> Figure:
    from .models import Allocation, Expenditure

    years = list(range(period.start.year, (period.end - timedelta(days=1)).year + 1))
    posted = Q(status=EntryStatus.POSTED, year__in=years)
    received = (
        Allocation.objects.filter(posted, region=region).aggregate(s=Sum("amount_fen"))["s"] or 0
    )
    spent = (
        Expenditure.objects.filter(
            posted,
            subtree_q([region.path], "region__path"),
            spent_on__gte=period.start,
            spent_on__lt=period.end,
        ).aggregate(s=Sum("amount_fen"))["s"]
        or 0
    )
    return Figure(
        _ratio(spent, received, 100),
        Decimal(spent),
        Decimal(received),
        str(METRICS["funding_executed"]["formula"]),
        f"/assessment/funding/?region={region.pk}&year={period.start.year}",
    )


def _on_time(step: str, done_field: str, metric: str):
    """Share of orders whose ``step`` fell due in the period and was done by its deadline,
    among those done or already overdue (a step not yet due does not count)."""

    def figure(region: Region, period: Period) -> Figure:
        from xinfeng.orders.models import Order

        lo, hi = period.bounds()
        now = timezone.now()
        due = f"{step}_due_at"
        at = done_field
        qs = Order.objects.filter(
            subtree_q([region.path], "region__path"), **{f"{due}__gte": lo, f"{due}__lt": hi}
        ).filter(Q(**{f"{at}__isnull": False}) | Q(**{f"{due}__lt": now}))
        counts = qs.aggregate(n=Count("id"), ok=Count("id", filter=Q(**{f"{at}__lte": F(due)})))
        return Figure(
            _ratio(counts["ok"], counts["n"], 100),
            Decimal(counts["ok"]),
            Decimal(counts["n"]),
            str(METRICS[metric]["formula"]),
            f"/orders/queue/?region={region.pk}",
        )

    return figure


class Context:
    """What one run computes once and every place reads: the 15-minute-circle report of the
    run's root as of a moment (``places.coverage_report``, the same computation the insights
    rollup and coverage page use — never a second implementation here)."""

    def __init__(self, root: Region | None = None):
        self.root = root
        self._reports: dict = {}

    def memo(self, key, make):
        """``make()`` once per run for ``key`` (figures that every place of a run reads)."""
        if key not in self._reports:
            self._reports[key] = make()
        return self._reports[key]

    def coverage(self, region: Region, when: datetime):
        from xinfeng.places.coverage_report import coverage_report

        root = self.root if self.root is not None and region.is_within(self.root) else region
        key = (root.pk, when)
        if key not in self._reports:
            self._reports[key] = coverage_report(root=root, when=when, picks=0)
        return self._reports[key]


def _as_of(period: Period) -> datetime:
    """The moment a stock figure (coverage, stations) is read for a period: its end, or now
    for a period still running."""
    return min(period.bounds()[1], timezone.now())


def coverage_15min(region: Region, period: Period, ctx: Context | None = None) -> Figure:
    """Share of the population within a 15-minute walk of a site open at the period's end
    (sites carry their active period, so a past period sees the sites open then)."""
    report = (ctx or Context()).coverage(region, _as_of(period))
    row = report.regions.get(region.pk)
    population = Decimal(str(round(row.population, 2))) if row else Decimal(0)
    covered = Decimal(str(round(row.covered, 2))) if row else Decimal(0)
    return Figure(
        _ratio(covered, population, 100),
        covered,
        population,
        str(METRICS["coverage_15min"]["formula"]),
        f"/insights/coverage/?region={region.pk}",
    )


def _villages(region: Region) -> list[str]:
    from xinfeng.regions.choices import RegionLevel

    return list(
        Region.objects.subtree(region)
        .filter(level=RegionLevel.VILLAGE)
        .values_list("path", flat=True)
    )


def villages_covered(region: Region, period: Period, ctx: Context | None = None) -> Figure:
    """Villages of the subtree (with residents on the population layer) where most residents
    are within the circle at the period's end: the complement of the coverage report's
    ``uncovered_villages`` (its ``UNCOVERED_SHARE``)."""
    from xinfeng.regions.choices import RegionLevel

    report = (ctx or Context()).coverage(region, _as_of(period))
    inside = [
        r
        for r in report.regions.values()
        if r.level == RegionLevel.VILLAGE and r.population > 0 and r.path.startswith(region.path)
    ]
    uncovered = {r.id for r in report.uncovered_villages()}
    covered = sum(1 for r in inside if r.id not in uncovered)
    return Figure(
        _ratio(covered, len(inside), 100),
        Decimal(covered),
        Decimal(len(inside)),
        str(METRICS["villages_covered"]["formula"]),
        f"/insights/coverage/?region={region.pk}",
    )


def _villages_with(paths, villages: list[str]) -> int:
    if not villages:
        return 0
    width = len(villages[0])
    return len({p[:width] for p in paths} & set(villages))


def villages_with_station(region: Region, period: Period, ctx: Context | None = None) -> Figure:
    from xinfeng.places.choices import SiteLevel
    from xinfeng.places.models import Site

    villages = _villages(region)
    paths = (
        Site.objects.open_at(_as_of(period))
        .filter(subtree_q([region.path], "region__path"), level=SiteLevel.STATION)
        .values_list("region__path", flat=True)
    )
    n = _villages_with(paths, villages)
    return Figure(
        _ratio(n, len(villages), 100),
        Decimal(n),
        Decimal(len(villages)),
        str(METRICS["villages_with_station"]["formula"]),
        f"/places/sites/?region={region.pk}",
    )


def villages_with_activity(region: Region, period: Period, ctx: Context | None = None) -> Figure:
    from xinfeng.activities.choices import ActivityState
    from xinfeng.activities.models import Activity

    lo, hi = period.bounds()
    villages = _villages(region)
    paths = (
        Activity.objects.filter(
            subtree_q([region.path], "region__path"),
            state=ActivityState.FINISHED,
            starts_at__gte=lo,
            starts_at__lt=hi,
        )
        .values_list("region__path", flat=True)
        .distinct()
    )
    n = _villages_with(paths, villages)
    return Figure(
        _ratio(n, len(villages), 100),
        Decimal(n),
        Decimal(len(villages)),
        str(METRICS["villages_with_activity"]["formula"]),
        f"/activities/?region={region.pk}",
    )


COMPUTE = {
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


# The figures that read the run's shared context (the coverage report).
WITH_CONTEXT = {coverage_15min, villages_covered, villages_with_station, villages_with_activity}


def compute(metric: str, region: Region, period: Period, ctx: Context | None = None):
    fn = COMPUTE.get(metric)
    if fn is None:
        return None
    return fn(region, period, ctx) if fn in WITH_CONTEXT else fn(region, period)


def score_figure(node, figure: Figure) -> dict:
    """A standard's score from its figure, with what the result line shows."""
    from .scoring import score

    return {
        "code": node.code,
        "title": node.title,
        "metric": node.metric,
        "figure": figure.value,
        "target": node.target,
        "formula": figure.formula,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "link": figure.link,
        "points": node.points,
        "score": score(
            node.rule,
            points=node.points,
            figure=figure.value,
            target=node.target,
            cap=node.cap,
            per_unit=node.per_unit,
            done=bool(figure.value),
        ),
    }


def score_standard(node, region: Region, period: Period, ctx: Context | None = None):
    """An automatic standard's figure and score for ``region`` (None when its figure is
    not computed yet)."""
    figure = compute(node.metric, region, period, ctx)
    return None if figure is None else score_figure(node, figure)


__all__ = ["Context", "Period", "parse_period", "compute", "score_figure", "score_standard"]
