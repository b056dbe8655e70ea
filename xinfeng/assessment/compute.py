"""Automatic figures for a place and a period, counted from the lower apps' own tables
(activities, orders, volunteers, places) and the ledger — never from insights (same layer).

Each figure answers ``Figure(value, numerator, denominator, formula, link)``: what the
score shows next to it, and where the records behind it are. Built so far: activities per
station per month, satisfaction, follow-ups done, registered volunteers per 1,000
residents, active volunteers, funding executed, the on-time shares of orders (review,
dispatch, accept) and the 15-minute coverage (places' coverage report, as of now).
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


def coverage_15min(region: Region, period: Period) -> Figure:
    """Share of the population within a 15-minute walk of an open site (places' coverage
    report, as of now: the circle has no history)."""
    from xinfeng.places.coverage_report import cached_coverage_report

    report = cached_coverage_report(root=region, picks=0)
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


COMPUTE = {
    "orders_reviewed_on_time": _on_time("review", "reviewed_at", "orders_reviewed_on_time"),
    "orders_dispatched_on_time": _on_time("dispatch", "dispatched_at", "orders_dispatched_on_time"),
    "orders_accepted_on_time": _on_time("accept", "accepted_at", "orders_accepted_on_time"),
    "coverage_15min": coverage_15min,
    "activities_per_station_month": activities_per_station_month,
    "satisfaction": satisfaction,
    "follow_ups_done": follow_ups_done,
    "volunteers_per_1000": volunteers_per_1000,
    "active_volunteers": active_volunteers,
    "funding_executed": funding_executed,
}


def compute(metric: str, region: Region, period: Period) -> Figure | None:
    fn = COMPUTE.get(metric)
    return fn(region, period) if fn else None


def score_standard(node, region: Region, period: Period) -> dict | None:
    """An automatic standard's figure and score for ``region`` (None when its figure is
    not computed yet)."""
    from .scoring import score

    figure = compute(node.metric, region, period)
    if figure is None:
        return None
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


__all__ = ["Period", "parse_period", "compute", "score_standard"]
