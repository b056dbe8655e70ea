"""Automatic figures for practice sites and volunteer teams, one grouped query per metric
for all the units of a run (a province has thousands of sites and teams: never a query per
unit). Counted from the lower apps' tables like ``compute.py``; each answers a ``Figure``.

Sites: activities held there per month, satisfaction of the orders it is responsible for,
follow-ups it did. Teams: orders accepted on time, satisfaction of the orders it served,
share of its members who served with it, hours served with it.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from .figures import Figure, Period, _ratio
from .metrics import formula


def _formula(metric: str) -> str:
    return formula(metric)


# Above this many units a run's ids are not sent as an IN list (a province's 27,000 sites
# made the query take seconds to plan): the query groups every unit's rows and the
# figures pick the run's ids from them.
IN_LIST_MAX = 1000


def _of(field: str, ids: list[int]) -> Q:
    if len(ids) <= IN_LIST_MAX:
        return Q(**{f"{field}__in": ids})
    return Q(**{f"{field}__isnull": False})


def site_activities_per_month(ids: list[int], period: Period) -> dict[int, Figure]:
    from xinfeng.activities.choices import ActivityState
    from xinfeng.activities.models import Activity

    lo, hi = period.bounds()
    held = dict(
        Activity.objects.filter(
            _of("site_id", ids), state=ActivityState.FINISHED, starts_at__gte=lo, starts_at__lt=hi
        )
        .values_list("site_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    months = period.months
    return {
        pk: Figure(
            _ratio(held.get(pk, 0), months),
            Decimal(held.get(pk, 0)),
            Decimal(months),
            _formula("site_activities_per_month"),
            f"/places/sites/{pk}/",
        )
        for pk in ids
    }


def _satisfaction(field: str, metric: str, link):
    def figures(ids: list[int], period: Period) -> dict[int, Figure]:
        from xinfeng.orders.models import OrderRating

        lo, hi = period.bounds()
        rows = {
            pk: (n, good)
            for pk, n, good in OrderRating.objects.filter(
                _of(f"order__{field}", ids), created_at__gte=lo, created_at__lt=hi
            )
            .values_list(f"order__{field}")
            .annotate(n=Count("id"), good=Count("id", filter=Q(level__gte=4)))
            .values_list(f"order__{field}", "n", "good")
            .order_by()
        }
        out = {}
        for pk in ids:
            n, good = rows.get(pk, (0, 0))
            out[pk] = Figure(
                _ratio(good, n, 100), Decimal(good), Decimal(n), _formula(metric), link(pk)
            )
        return out

    return figures


def site_follow_ups_done(ids: list[int], period: Period) -> dict[int, Figure]:
    from xinfeng.orders.choices import FollowUpStatus
    from xinfeng.orders.models import FollowUp

    lo, hi = period.bounds()
    rows = {
        pk: (n, done)
        for pk, n, done in FollowUp.objects.filter(
            _of("site_id", ids), opened_at__gte=lo, opened_at__lt=hi
        )
        .values_list("site_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status=FollowUpStatus.DONE)))
        .values_list("site_id", "n", "done")
        .order_by()
    }
    out = {}
    for pk in ids:
        n, done = rows.get(pk, (0, 0))
        out[pk] = Figure(
            _ratio(done, n, 100),
            Decimal(done),
            Decimal(n),
            _formula("site_follow_ups_done"),
            "/orders/follow-ups/",
        )
    return out


def team_orders_accepted_on_time(ids: list[int], period: Period) -> dict[int, Figure]:
    """Orders of the team whose acceptance fell due in the period, accepted by the deadline,
    among those accepted or already overdue (as ``compute._on_time`` for places)."""
    from xinfeng.orders.models import Order

    lo, hi = period.bounds()
    now = timezone.now()
    rows = {
        pk: (n, ok)
        for pk, n, ok in Order.objects.filter(
            _of("team_id", ids), accept_due_at__gte=lo, accept_due_at__lt=hi
        )
        .filter(Q(accepted_at__isnull=False) | Q(accept_due_at__lt=now))
        .values_list("team_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(accepted_at__lte=F("accept_due_at"))))
        .values_list("team_id", "n", "ok")
        .order_by()
    }
    out = {}
    for pk in ids:
        n, ok = rows.get(pk, (0, 0))
        out[pk] = Figure(
            _ratio(ok, n, 100),
            Decimal(ok),
            Decimal(n),
            _formula("team_orders_accepted_on_time"),
            f"/volunteers/teams/{pk}/",
        )
    return out


def team_active_members(ids: list[int], period: Period) -> dict[int, Figure]:
    from xinfeng.volunteers.choices import MembershipStatus
    from xinfeng.volunteers.models import ServiceRecord, TeamMembership

    lo, hi = period.bounds()
    members: dict[int, set[int]] = defaultdict(set)
    for team_id, volunteer_id in TeamMembership.objects.filter(
        _of("team_id", ids), status=MembershipStatus.ACTIVE
    ).values_list("team_id", "volunteer_id"):
        members[team_id].add(volunteer_id)
    served: dict[int, set[int]] = defaultdict(set)
    for team_id, volunteer_id in (
        ServiceRecord.objects.filter(_of("team_id", ids), started_at__gte=lo, started_at__lt=hi)
        .values_list("team_id", "volunteer_id")
        .distinct()
    ):
        served[team_id].add(volunteer_id)
    out = {}
    for pk in ids:
        n = len(members[pk])
        active = len(members[pk] & served[pk])
        out[pk] = Figure(
            _ratio(active, n, 100),
            Decimal(active),
            Decimal(n),
            _formula("team_active_members"),
            f"/volunteers/teams/{pk}/",
        )
    return out


def team_service_hours(ids: list[int], period: Period) -> dict[int, Figure]:
    from xinfeng.volunteers.models import ServiceRecord

    lo, hi = period.bounds()
    hours = dict(
        ServiceRecord.objects.filter(_of("team_id", ids), started_at__gte=lo, started_at__lt=hi)
        .values_list("team_id")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    out = {}
    for pk in ids:
        h = Decimal(hours.get(pk) or 0).quantize(Decimal("0.01"))
        out[pk] = Figure(h, h, None, _formula("team_service_hours"), f"/volunteers/teams/{pk}/")
    return out


COMPUTE_UNITS = {
    "site_activities_per_month": site_activities_per_month,
    "site_satisfaction": _satisfaction("site_id", "site_satisfaction", lambda pk: "/orders/queue/"),
    "site_follow_ups_done": site_follow_ups_done,
    "team_orders_accepted_on_time": team_orders_accepted_on_time,
    "team_satisfaction": _satisfaction(
        "team_id", "team_satisfaction", lambda pk: f"/volunteers/teams/{pk}/"
    ),
    "team_active_members": team_active_members,
    "team_service_hours": team_service_hours,
}


def unit_figures(metric: str, ids: list[int], period: Period) -> dict[int, Figure] | None:
    """The figure of ``metric`` for each site or team id (None: not a unit metric)."""
    fn = COMPUTE_UNITS.get(metric)
    return fn(ids, period) if fn else None
