"""The primitives of the automatic figures: periods (month, quarter, year), ``Figure``
(what a score shows next to it and where the records behind it are), the run's shared
``Context`` and the rounding of ratios. ``compute_places`` and ``compute_units`` count
the figures; ``compute`` is the one-place entry point."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from xinfeng.regions.models import Region


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
