"""The set-based queries the rollup runs against the raw tables.

Each source groups one table by the region a row belongs to (the leaf of the tree it sits
in) and yields ``("s", region_id, metric, value)`` for a running total or
``("m", region_id, metric, "YYYY-MM", value)`` for a month of the series. The rollup then
adds leaf values up the tree by path, so each table is read once per run however deep the
tree is (a province is five levels), instead of once per level.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from xinfeng.activities.choices import PUBLIC_STATES
from xinfeng.activities.models import Activity
from xinfeng.orders.choices import FollowUpStatus
from xinfeng.orders.models import FollowUp, Order
from xinfeng.places.models import Site
from xinfeng.projects.choices import ProjectStatus
from xinfeng.projects.models import Project
from xinfeng.projects.selectors import COUNTED_STATUSES
from xinfeng.volunteers.models import ServiceRecord, Team, Volunteer

from .metrics import MONTHS, ORDER_STEPS


@dataclass(frozen=True)
class Window:
    """The moment of the run and the twelve months of the series (local time)."""

    now: datetime
    tz: ZoneInfo
    labels: tuple[str, ...]  # "YYYY-MM", oldest first
    start: datetime  # start of the oldest month
    month_start: datetime  # start of the current month
    starts: tuple[datetime, ...] = ()  # start of each month of ``labels``
    end: datetime | None = None  # start of next month: later rows are outside the series

    @classmethod
    def at(cls, now: datetime | None = None, months: int = MONTHS) -> Window:
        tz = ZoneInfo(settings.TIME_ZONE)
        now = now or timezone.now()
        local = timezone.localtime(now, tz)
        y, m = local.year, local.month
        labels = []
        for i in range(months - 1, -1, -1):
            yy, mm = y, m - i
            while mm <= 0:
                yy, mm = yy - 1, mm + 12
            labels.append(f"{yy:04d}-{mm:02d}")
        starts = tuple(datetime(int(label[:4]), int(label[5:]), 1, tzinfo=tz) for label in labels)
        end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=tz)
        return cls(
            now=now,
            tz=tz,
            labels=tuple(labels),
            start=starts[0],
            month_start=starts[-1],
            starts=starts,
            end=end,
        )

    def label(self, index) -> str:
        """The "YYYY-MM" of a month number from ``_month`` ("" outside the window)."""
        return self.labels[index] if index is not None and 0 <= index < len(self.labels) else ""


Row = tuple


def _month(field: str, w: Window) -> Case:
    """The month number (0 = oldest of the window) of a timestamp, by comparing it with the
    twelve month starts: much cheaper per row than truncating in a time zone."""
    whens = [When(**{f"{field}__gte": w.end}, then=Value(-1))]  # future: not in the series
    whens += [
        When(**{f"{field}__gte": start}, then=Value(i))
        for i, start in reversed(list(enumerate(w.starts)))
    ]
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def sites(w: Window) -> Iterator[Row]:
    rows = (
        Site.objects.open_at(w.now)
        .values("region_id", "level", "is_complex")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        yield ("s", r["region_id"], f"sites_{r['level']}", r["n"])
        yield ("s", r["region_id"], "sites_total", r["n"])
        if r["is_complex"]:
            yield ("s", r["region_id"], "sites_complex", r["n"])


def teams(w: Window) -> Iterator[Row]:
    rows = (
        Team.objects.filter(is_active=True)
        .values("region_id", "team_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        yield ("s", r["region_id"], f"teams_{r['team_type']}", r["n"])
        yield ("s", r["region_id"], "teams_total", r["n"])


def volunteers(w: Window) -> Iterator[Row]:
    """Volunteers count where they are registered (home region), so a volunteer who served
    in two villages is still one volunteer of the township: the figures stay additive."""
    active = Volunteer.objects.filter(is_active=True)
    for r in active.values("home_region_id").annotate(n=Count("id")).order_by():
        yield ("s", r["home_region_id"], "volunteers_registered", r["n"])
    served = (
        active.filter(service_records__started_at__gte=w.month_start)
        .values("home_region_id")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    for r in served:
        yield ("s", r["home_region_id"], "volunteers_active_month", r["n"])
    joined = (
        Volunteer.objects.filter(created_at__gte=w.start)
        .annotate(m=_month("created_at", w))
        .values("home_region_id", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in joined:
        yield ("m", r["home_region_id"], "volunteers_joined", w.label(r["m"]), r["n"])


def projects(w: Window) -> Iterator[Row]:
    rows = (
        Project.objects.filter(status__in=COUNTED_STATUSES)
        .values("region_id", "status", "is_provincial_demo")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        yield ("s", r["region_id"], "projects_total", r["n"])
        if r["status"] == ProjectStatus.ACTIVE:
            yield ("s", r["region_id"], "projects_active", r["n"])
        if r["is_provincial_demo"]:
            yield ("s", r["region_id"], "projects_demo", r["n"])


def activities(w: Window) -> Iterator[Row]:
    """Published and finished activities; offline audience = checked in + counted on site."""
    public = Activity.objects.filter(state__in=PUBLIC_STATES)
    sums = {
        "n": Count("id"),
        "online": Sum("online_viewers"),
        "checkin": Sum("checkin_count"),
        "extra": Sum("extra_headcount"),
    }
    for r in public.values("region_id").annotate(**sums).order_by():
        rid = r["region_id"]
        yield ("s", rid, "activities_total", r["n"])
        yield ("s", rid, "audience_online", r["online"] or 0)
        yield ("s", rid, "audience_offline", (r["checkin"] or 0) + (r["extra"] or 0))
    monthly = (
        public.filter(starts_at__gte=w.start)
        .annotate(m=_month("starts_at", w))
        .values("region_id", "m")
        .annotate(**sums)
        .order_by()
    )
    for r in monthly:
        rid, m = r["region_id"], w.label(r["m"])
        yield ("m", rid, "activities", m, r["n"])
        yield ("m", rid, "audience_online", m, r["online"] or 0)
        yield ("m", rid, "audience_offline", m, (r["checkin"] or 0) + (r["extra"] or 0))


def service(w: Window) -> Iterator[Row]:
    """Verified service: hours and person-times where the service took place."""
    sums = {"h": Sum("hours"), "n": Count("id")}
    for r in ServiceRecord.objects.values("region_id").annotate(**sums).order_by():
        yield ("s", r["region_id"], "service_hours", float(r["h"] or 0))
        yield ("s", r["region_id"], "service_records", r["n"])
    monthly = (
        ServiceRecord.objects.filter(started_at__gte=w.start)
        .annotate(m=_month("started_at", w))
        .values("region_id", "m")
        .annotate(**sums)
        .order_by()
    )
    for r in monthly:
        m = w.label(r["m"])
        yield ("m", r["region_id"], "service_hours", m, float(r["h"] or 0))
        yield ("m", r["region_id"], "service_records", m, r["n"])


def orders(w: Window) -> Iterator[Row]:
    """Orders by state, punctuality per step, resident ratings, open follow-ups.

    A step counts as due when it was done (on time if done by its deadline) or when the
    order still waits at it past the deadline (late). Automatic ratings are counted apart
    and left out of the satisfaction average.
    """
    for r in Order.objects.values("region_id", "state").annotate(n=Count("id")).order_by():
        yield ("s", r["region_id"], f"orders_{r['state']}", r["n"])
        yield ("s", r["region_id"], "orders_total", r["n"])
    sums = {}
    for step, (done, due, waiting) in ORDER_STEPS.items():
        was_done = Q(**{f"{done}__isnull": False, f"{due}__isnull": False})
        sums[f"ontime_{step}_ok"] = Count("id", filter=was_done & Q(**{f"{done}__lte": F(due)}))
        sums[f"ontime_{step}_all"] = Count(
            "id", filter=was_done | Q(state=waiting, **{f"{due}__lt": w.now})
        )
    human = Q(rating_level__isnull=False, rating_is_auto=False)
    sums["rating_sum"] = Sum("rating_level", filter=human)
    sums["rating_count"] = Count("id", filter=human)
    sums["ratings_auto"] = Count("id", filter=Q(rating_level__isnull=False, rating_is_auto=True))
    for r in Order.objects.values("region_id").annotate(**sums).order_by():
        for key in sums:
            if r[key]:
                yield ("s", r["region_id"], key, r[key])
    created = (
        Order.objects.filter(submitted_at__gte=w.start)
        .annotate(m=_month("submitted_at", w))
        .values("region_id", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in created:
        yield ("m", r["region_id"], "orders_created", w.label(r["m"]), r["n"])
    finished = (
        Order.objects.filter(completed_at__gte=w.start)
        .annotate(m=_month("completed_at", w))
        .values("region_id", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in finished:
        yield ("m", r["region_id"], "orders_finished", w.label(r["m"]), r["n"])
    open_followups = (
        FollowUp.objects.filter(status=FollowUpStatus.OPEN)
        .values("region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in open_followups:
        yield ("s", r["region_id"], "followups_open", r["n"])


SOURCES = {
    "sites": sites,
    "teams": teams,
    "volunteers": volunteers,
    "projects": projects,
    "activities": activities,
    "service": service,
    "orders": orders,
}


def register_source(name: str, source) -> None:
    """Add a higher app's source (called from its ``AppConfig.ready``): a function of the
    window yielding rows like the ones above for metric keys listed in ``metrics``. The
    rollup reads it like its own; insights never imports the app."""
    SOURCES[name] = source


# Raw tables the dashboards must never read on a request (checked by a test).
RAW_TABLES = (
    ServiceRecord._meta.db_table,
    Order._meta.db_table,
    FollowUp._meta.db_table,
    Activity._meta.db_table,
    Volunteer._meta.db_table,
    Team._meta.db_table,
    Project._meta.db_table,
)
