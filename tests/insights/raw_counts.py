"""Figures computed independently from the raw tables for one region, the slow obvious
way (``path__startswith`` filters and Python loops), to check the rollup against."""

from collections import Counter
from decimal import Decimal

from django.utils import timezone

from xinfeng.activities.choices import PUBLIC_STATES
from xinfeng.activities.models import Activity
from xinfeng.orders.models import FollowUp, Order
from xinfeng.places.models import Site
from xinfeng.projects.models import Project
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
    now = now or timezone.now()
    p = region.path
    out: dict = {}
    sites = list(Site.objects.open_at(now).filter(region__path__startswith=p))
    for level in ("center", "institute", "station", "point"):
        out[f"sites_{level}"] = sum(1 for s in sites if s.level == level)
    out["sites_total"] = len(sites)
    out["sites_complex"] = sum(1 for s in sites if s.is_complex)
    teams = list(Team.objects.filter(region__path__startswith=p, is_active=True))
    out["teams_total"] = len(teams)
    vols = list(Volunteer.objects.filter(home_region__path__startswith=p, is_active=True))
    out["volunteers_registered"] = len(vols)
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    active = set()
    for r in ServiceRecord.objects.filter(volunteer__in=vols):
        if r.started_at >= month_start:
            active.add(r.volunteer_id)
    out["volunteers_active_month"] = len(active)
    projects = [
        x for x in Project.objects.filter(region__path__startswith=p) if x.status != "retired"
    ]
    out["projects_total"] = len(projects)
    out["projects_active"] = sum(1 for x in projects if x.status == "active")
    acts = [
        a for a in Activity.objects.filter(region__path__startswith=p) if a.state in PUBLIC_STATES
    ]
    out["activities_total"] = len(acts)
    out["audience_online"] = sum(a.online_viewers for a in acts)
    out["audience_offline"] = sum(a.checkin_count + a.extra_headcount for a in acts)
    records = list(ServiceRecord.objects.filter(region__path__startswith=p))
    out["service_records"] = len(records)
    out["service_hours"] = float(sum((r.hours for r in records), Decimal("0")))
    orders = list(Order.objects.filter(region__path__startswith=p))
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
    out["followups_open"] = FollowUp.objects.filter(
        region__path__startswith=p, status="open"
    ).count()
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
    joined = Volunteer.objects.filter(home_region__path__startswith=p)
    out["_monthly_volunteers_joined"] = dict(Counter(month_key(v.created_at) for v in joined))
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
