"""Every read of emergency mode, scoped to the reader.

Staff see an incident when its region lies in their scope, or when they work inside an
area it affects (a village's station operator sees the township's flood).
"""

from django.core.cache import cache
from django.db.models import Count, Q, Sum

from xinfeng.accounts.choices import READ_ROLES, STAFF_ROLES
from xinfeng.accounts.scope import restrict, scope_paths
from xinfeng.activities.models import Activity
from xinfeng.core.errors import NotFound
from xinfeng.regions.models import PATH_SEGMENT, subtree_q
from xinfeng.volunteers.models import ServiceRecord, Team
from xinfeng.volunteers.policy import led_teams

from .choices import CalloutStatus, IncidentStatus, NeedStatus, RecipientState
from .models import Callout, CalloutRecipient, Incident, Need, Notice, Station, StationShift


def _prefixes(path: str) -> list[str]:
    return [path[: i * PATH_SEGMENT] for i in range(1, len(path) // PATH_SEGMENT + 1)]


def incident_list(*, user, status: str | None = None, exercise: bool | None = None):
    """Incidents the user may read: declared in their scope, affecting a place in their
    scope, or affecting an area they work inside."""
    qs = Incident.objects.select_related("region").order_by("-declared_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if exercise is not None:
        qs = qs.filter(is_exercise=exercise)
    if not user.is_authenticated:
        return qs.none()
    paths = scope_paths(user, READ_ROLES)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    above = {p for path in paths for p in _prefixes(path)}
    return qs.filter(
        subtree_q(paths, "region__path")
        | subtree_q(paths, "affected_regions__path")
        | Q(affected_regions__path__in=above)
    ).distinct()


ROSTER_LINKS = 20


def roster_teams(user) -> list:
    """Teams whose rota the user keeps: the teams they lead, and for staff the 24-hour
    standby teams of their scope (up to 20)."""
    if not user.is_authenticated:
        return []
    teams = {t.pk: t for t in led_teams(user)}
    staff = restrict(
        Team.objects.filter(is_active=True, standby_24h=True), user, roles=STAFF_ROLES
    ).order_by("name")[:ROSTER_LINKS]
    for t in staff:
        teams.setdefault(t.pk, t)
    return list(teams.values())[:ROSTER_LINKS]


def incident_get(*, user, pk: int) -> Incident:
    obj = incident_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


ANY_OPEN_KEY = "xf:emergency:any-open"


def any_open_incident() -> bool:
    """Whether any incident is open anywhere — cached, so the banner costs every page no
    query in the usual state (nothing open); forgotten on any incident change here, within
    a minute in other processes."""
    answer = cache.get(ANY_OPEN_KEY)
    if answer is None:
        answer = Incident.objects.filter(status=IncidentStatus.OPEN).exists()
        cache.set(ANY_OPEN_KEY, answer, 60)
    return answer


def forget_open_incidents(**kwargs) -> None:
    """Signal receiver: an incident was saved or deleted."""
    cache.delete(ANY_OPEN_KEY)


def open_incidents_for(user) -> list[Incident]:
    """The open incidents shown in the banner (the reader's area)."""
    if not user.is_authenticated or not any_open_incident():
        return []
    return list(incident_list(user=user, status=IncidentStatus.OPEN)[:5])


def callout_get(*, user, pk: int) -> Callout:
    obj = Callout.objects.select_related("incident__region").filter(pk=pk).first()
    if obj is None or not incident_list(user=user).filter(pk=obj.incident_id).exists():
        raise NotFound()
    return obj


def need_get(*, user, pk: int) -> Need:
    """A task, for staff who read its incident and for volunteers living (or from a home
    village) in the incident's region, who may commit to it."""
    obj = Need.objects.select_related("incident__region", "region").filter(pk=pk).first()
    if obj is None or not (
        incident_list(user=user).filter(pk=obj.incident_id).exists()
        or _local_volunteer(user, obj.incident)
    ):
        raise NotFound()
    return obj


def _local_volunteer(user, incident) -> bool:
    volunteer = getattr(user, "volunteer", None) if user.is_authenticated else None
    if volunteer is None:
        return False
    if volunteer.home_region.is_within(incident.region):
        return True
    profile = getattr(volunteer, "emergency_profile", None)
    return bool(
        profile and profile.home_village and profile.home_village.is_within(incident.region)
    )


def needs_for_volunteer(user):
    """Open tasks of open incidents near a volunteer (home region or home village)."""
    volunteer = getattr(user, "volunteer", None) if user.is_authenticated else None
    if volunteer is None:
        return Need.objects.none()
    paths = [volunteer.home_region.path]
    profile = getattr(volunteer, "emergency_profile", None)
    if profile and profile.home_village_id:
        paths.append(profile.home_village.path)
    above = {p for path in paths for p in _prefixes(path)}
    return Need.objects.filter(
        status=NeedStatus.OPEN,
        incident__status=IncidentStatus.OPEN,
        incident__region__path__in=above,
    ).select_related("incident", "region")


def station_get(*, user, pk: int) -> Station:
    obj = Station.objects.select_related("incident__region", "site__region").filter(pk=pk).first()
    if obj is None or not incident_list(user=user).filter(pk=obj.incident_id).exists():
        raise NotFound()
    return obj


def public_notices(limit: int = 50):
    return (
        Notice.objects.select_related("incident")
        .prefetch_related("incident__affected_regions")
        .order_by("-created_at", "-id")[:limit]
    )


BOARD_COLUMNS = ("sent", "coming", "declined", "later", "no_answer", "arrived")


def callout_board(callout) -> dict:
    """The live board: per team and in total, how many were sent, are coming, declined,
    will answer later, have not answered and have arrived — one grouped count per team and
    state in SQL (a handful of rows, readable from an index alone), summed up here."""
    s = RecipientState
    column = {
        s.COMING: "coming",
        s.DECLINED: "declined",
        s.LATER: "later",
        s.SENT: "no_answer",
        s.ARRIVED: "arrived",
    }
    per_team: dict = {}
    for team_id, state, n in (
        CalloutRecipient.objects.filter(callout=callout)
        .values_list("team_id", "state")
        .annotate(n=Count("*"))
        .order_by()
    ):
        row = per_team.setdefault(
            team_id, {"team_id": team_id, **dict.fromkeys((*BOARD_COLUMNS, "queued"), 0)}
        )
        if state in (s.QUEUED, s.RESERVE):
            row["queued"] += n
        else:
            row["sent"] += n
            if state in column:
                row[column[state]] += n
    rows = [per_team[k] for k in sorted(per_team, key=lambda t: (t is None, t or 0))]
    names = dict(
        Team.objects.filter(pk__in=[r["team_id"] for r in rows if r["team_id"]]).values_list(
            "pk", "name"
        )
    )
    total = {k: sum(r[k] for r in rows) for k in (*BOARD_COLUMNS, "queued")}
    teams = [{**r, "team": names.get(r["team_id"], "")} for r in rows]
    return {"teams": teams, "total": total, "open": callout.status == CalloutStatus.OPEN}


def sitrep_figures(incident) -> dict:
    """The figures of a situation report, from the data."""
    s = RecipientState
    rec = CalloutRecipient.objects.filter(callout__incident=incident).aggregate(
        called=Count("id", filter=~Q(state__in=[s.QUEUED, s.RESERVE])),
        coming=Count("id", filter=Q(state=s.COMING)),
        arrived=Count("id", filter=Q(state=s.ARRIVED)),
        declined=Count("id", filter=Q(state=s.DECLINED)),
    )
    station_ids = list(Station.objects.filter(incident=incident).values_list("pk", flat=True))
    hours = ServiceRecord.objects.filter(
        source_type="emergency", source_id__in=station_ids
    ).aggregate(h=Sum("hours"))["h"]
    served = Activity.objects.filter(site__emergency_station__in=station_ids).aggregate(
        c=Sum("checkin_count"), e=Sum("extra_headcount")
    )
    needs = Need.objects.filter(incident=incident).aggregate(
        open=Count("id", filter=Q(status=NeedStatus.OPEN)),
        closed=Count("id", filter=Q(status=NeedStatus.CLOSED)),
        places=Sum("places"),
        taken=Sum("taken"),
    )
    return {
        "people_called": rec["called"],
        "coming": rec["coming"],
        "arrived": rec["arrived"],
        "declined": rec["declined"],
        "on_duty": StationShift.objects.filter(
            station__incident=incident, checked_out_at__isnull=True
        ).count(),
        "hours": float(hours or 0),
        "residents_served": (served["c"] or 0) + (served["e"] or 0),
        "tasks_open": needs["open"],
        "tasks_closed": needs["closed"],
        "task_places": needs["places"] or 0,
        "task_places_taken": needs["taken"] or 0,
        "stations_open": Station.objects.filter(incident=incident, closed_at__isnull=True).count(),
    }
