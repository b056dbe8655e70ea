"""Figures computed independently from the raw tables for one region (or every region
under one), the slow obvious way (``path__startswith`` filters and Python loops), to check
the rollup against."""

from collections import Counter
from decimal import Decimal

from django.utils import timezone

from xinfeng.activities.choices import PUBLIC_STATES
from xinfeng.activities.models import Activity
from xinfeng.orders.models import FollowUp, Order
from xinfeng.places.models import Site
from xinfeng.projects.models import Project
from xinfeng.regions.models import Region
from xinfeng.volunteers.models import ServiceRecord, Team, Volunteer

STEPS = {
    "review": ("reviewed_at", "review_due_at", "submitted"),
    "dispatch": ("dispatched_at", "dispatch_due_at", "pending_dispatch"),
    "accept": ("accepted_at", "accept_due_at", "dispatched"),
    "start": ("started_at", "start_due_at", "accepted"),
    "rate": ("rated_at", "rate_due_at", "completed"),
}


def month_key(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m")


def raw_figures(region, now=None) -> dict:
    return raw_figures_under(region, now)[region.pk]


def raw_figures_under(root, now=None) -> dict[int, dict]:
    """``raw_figures`` of ``root`` and of every region below it, keyed by region id. Each
    table is read once (the rows under ``root``), then every region takes the rows of the
    regions whose path starts with its own — what ``region__path__startswith`` selects —
    in Python: a test comparing a whole city's regions reads the tables once, not once per
    region."""
    now = now or timezone.now()
    root_path = root.path
    paths = dict(Region.objects.filter(path__startswith=root_path).values_list("pk", "path"))
    under = {"region__path__startswith": root_path}
    tables = {
        "sites": _by(Site.objects.open_at(now).filter(**under), "region_id"),
        "teams": _by(Team.objects.filter(is_active=True, **under), "region_id"),
        "joined": _by(
            Volunteer.objects.filter(home_region__path__startswith=root_path), "home_region_id"
        ),
        "projects": _by(Project.objects.filter(**under), "region_id"),
        "activities": _by(Activity.objects.filter(**under), "region_id"),
        "records": _by(ServiceRecord.objects.filter(**under), "region_id"),
        "orders": _by(Order.objects.filter(**under), "region_id"),
        "followups": _by(FollowUp.objects.filter(status="open", **under), "region_id"),
    }
    # Whatever region a record names: a volunteer is active if they served this month.
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    served = set(
        ServiceRecord.objects.filter(
            volunteer__home_region__path__startswith=root_path, started_at__gte=month_start
        ).values_list("volunteer_id", flat=True)
    )
    out = {}
    for pk, path in paths.items():
        ids = [other for other, other_path in paths.items() if other_path.startswith(path)]
        rows = {
            name: [x for rid in ids for x in table.get(rid, ())] for name, table in tables.items()
        }
        out[pk] = _figures(rows, served, now)
    return out


def _by(queryset, key: str) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in queryset:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _figures(rows: dict[str, list], served: set[int], now) -> dict:
    out: dict = {}
    sites = rows["sites"]
    for level in ("center", "institute", "station", "point"):
        out[f"sites_{level}"] = sum(1 for s in sites if s.level == level)
    out["sites_total"] = len(sites)
    out["sites_complex"] = sum(1 for s in sites if s.is_complex)
    out["teams_total"] = len(rows["teams"])
    vols = [v for v in rows["joined"] if v.is_active]
    out["volunteers_registered"] = len(vols)
    out["volunteers_active_month"] = sum(1 for v in vols if v.pk in served)
    projects = [x for x in rows["projects"] if x.status != "retired"]
    out["projects_total"] = len(projects)
    out["projects_active"] = sum(1 for x in projects if x.status == "active")
    acts = [a for a in rows["activities"] if a.state in PUBLIC_STATES]
    out["activities_total"] = len(acts)
    out["audience_online"] = sum(a.online_viewers for a in acts)
    out["audience_offline"] = sum(a.checkin_count + a.extra_headcount for a in acts)
    records = rows["records"]
    out["service_records"] = len(records)
    out["service_hours"] = float(sum((r.hours for r in records), Decimal("0")))
    orders = rows["orders"]
    out["orders_total"] = len(orders)
    states = Counter(o.state for o in orders)
    for s in (
        "submitted",
        "pending_dispatch",
        "dispatched",
        "accepted",
        "in_service",
        "completed",
        "rated",
        "rejected",
        "cancelled",
    ):
        out[f"orders_{s}"] = states.get(s, 0)
    for step, (done, due, waiting) in STEPS.items():
        ok = total = 0
        for o in orders:
            d, u = getattr(o, done), getattr(o, due)
            if d is not None and u is not None:
                total += 1
                ok += d <= u
            elif o.state == waiting and u is not None and u < now:
                total += 1
        out[f"ontime_{step}"] = round(ok / total, 4) if total else None
    human = [o.rating_level for o in orders if o.rating_level is not None and not o.rating_is_auto]
    out["satisfaction"] = round(sum(human) / len(human), 2) if human else None
    out["followups_open"] = len(rows["followups"])
    monthly_hours = Counter()
    for r in records:
        monthly_hours[month_key(r.started_at)] += float(r.hours)
    out["_monthly_hours"] = dict(monthly_hours)
    out["_monthly_service_hours"] = out["_monthly_hours"]
    monthly_acts = Counter(month_key(a.starts_at) for a in acts)
    out["_monthly_activities"] = dict(monthly_acts)
    online, offline = Counter(), Counter()
    for a in acts:
        online[month_key(a.starts_at)] += a.online_viewers
        offline[month_key(a.starts_at)] += a.checkin_count + a.extra_headcount
    out["_monthly_audience_online"] = dict(online)
    out["_monthly_audience_offline"] = dict(offline)
    out["_monthly_service_records"] = dict(Counter(month_key(r.started_at) for r in records))
    out["_monthly_orders_created"] = dict(Counter(month_key(o.submitted_at) for o in orders))
    out["_monthly_orders_finished"] = dict(
        Counter(month_key(o.completed_at) for o in orders if o.completed_at is not None)
    )
    out["_monthly_volunteers_joined"] = dict(
        Counter(month_key(v.created_at) for v in rows["joined"])
    )
    return out


MONTHLY = [
    "activities",
    "audience_online",
    "audience_offline",
    "service_hours",
    "service_records",
    "orders_created",
    "orders_finished",
    "volunteers_joined",
]


def monthly_mismatches(months: dict, raw: dict) -> list:
    """(series, month, stored, raw) for every month of the stored series whose value differs
    from the raw count (months with nothing are 0 on both sides)."""
    out = []
    for series in MONTHLY:
        want = raw[f"_monthly_{series}"]
        for month, got in zip(months["labels"], months[series], strict=True):
            expected = want.get(month, 0)
            if abs(float(got) - float(expected)) > 0.005:
                out.append((series, month, got, expected))
    return out
