"""Temporary stations (临时分站): opened from an incident at a resettlement point (a
TEMPORARY site with an active period), their services as activities, and arrival and
departure check-ins that credit emergency service hours."""

import contextlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import has_role_at
from xinfeng.activities.geo import haversine_m
from xinfeng.activities.services.activities import activity_create, activity_publish
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.places.choices import PointKind, SiteLevel
from xinfeng.places.models import Site
from xinfeng.places.services import site_create, site_update
from xinfeng.projects.choices import ProjectStatus
from xinfeng.projects.models import Project
from xinfeng.projects.services import (
    can_approve,
    project_activate,
    project_approve,
    project_declare,
    project_retire,
)
from xinfeng.volunteers.choices import ServiceSource, Verification
from xinfeng.volunteers.policy import min_service_hours, require_location_consent
from xinfeng.volunteers.services.ledger import service_record_create

from ..choices import CheckinMethod, IncidentAction
from ..models import Station, StationShift
from ..policy import require_may_run
from .callouts import mark_arrived_for_incident
from .timeline import event_add, require_open

STATION_CLOSED = _("临时分站已关闭。")
GEOFENCE_METRES = 300
VERIFICATION = {
    CheckinMethod.QR: Verification.QR,
    CheckinMethod.GEOFENCE: Verification.GEOFENCE,
    CheckinMethod.STAFF: Verification.LEADER,
}


@transaction.atomic
def station_open(
    *,
    actor,
    incident,
    name: str,
    region,
    address: str = "",
    latitude=None,
    longitude=None,
    parent=None,
) -> Station:
    """Open a temporary station for ``incident`` at a resettlement point in ``region``:
    a TEMPORARY practice point active from now until the station closes."""
    require_may_run(actor, incident)
    require_open(incident)
    if not region.is_within(incident.region):
        raise ValidationFailed(_("分站地点不在事件区划内。"), code="region_outside")
    now = timezone.now()
    if parent is None:  # under the practice site of the incident's region (所 or 中心)
        parent = (
            Site.objects.filter(
                region=incident.region, level__in=[SiteLevel.CENTER, SiteLevel.INSTITUTE]
            )
            .order_by("level", "id")
            .first()
        )
    site = site_create(
        actor=actor,
        region=region,
        name=(name or "").strip(),
        level=SiteLevel.POINT,
        point_kind=PointKind.TEMPORARY,
        address=address or "",
        latitude=latitude,
        longitude=longitude,
        parent=parent,
        active_from=now,
        description=_("应急临时分站：%(t)s") % {"t": incident.title},
    )
    station = Station.objects.create(incident=incident, site=site, opened_by=actor, opened_at=now)
    event_add(incident, IncidentAction.STATION_OPEN, actor, site.name)
    return station


def _lock(station) -> Station:
    return (
        Station.objects.select_for_update(of=("self",))
        .select_related("site__region", "incident__region")
        .get(pk=station.pk)
    )


@transaction.atomic
def station_service_add(
    *,
    actor,
    station,
    title: str,
    category: str,
    starts_at,
    ends_at,
    capacity: int,
    description: str = "",
):
    """A service of the station (film, health check, cleaning, psychological support)
    run as an activity at the station's site, published when the site needs no review."""
    station = _lock(station)
    require_may_run(actor, station.incident)
    if not station.is_open:
        raise Conflict(STATION_CLOSED, code="station_closed")
    activity = activity_create(
        actor=actor,
        site=station.site,
        title=title,
        category=category,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        description=description,
    )
    # A site that needs review keeps the draft for the level above.
    with contextlib.suppress(Conflict):
        activity = activity_publish(actor=actor, activity=activity)
    return activity


@transaction.atomic
def station_project_add(*, actor, station, name: str, category: str, summary: str = ""):
    """A service residents at the resettlement point can order (点单) from the station: a
    project of the station's site for its area, approved and put on the menu at once when
    the actor is also the level above (else it waits for that level, as any project)."""
    station = _lock(station)
    require_may_run(actor, station.incident)
    if not station.is_open:
        raise Conflict(STATION_CLOSED, code="station_closed")
    project = project_declare(
        actor=actor,
        site=station.site,
        areas=[station.site.region],
        name=(name or "").strip(),
        category=category,
        summary=summary or "",
    )
    if can_approve(actor, project):
        project = project_approve(actor=actor, project=project)
        project = project_activate(actor=actor, project=project)
    return project


def _require_checker(actor, station, volunteer, method) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if method == CheckinMethod.STAFF:
        require_may_run(actor, station.incident)
    elif volunteer.user_id != actor.pk:
        raise PermissionDenied()


@transaction.atomic
def station_checkin(
    *,
    actor,
    station,
    volunteer,
    method: str = CheckinMethod.QR,
    token: str = "",
    latitude=None,
    longitude=None,
) -> StationShift:
    """Arrival at the station: by the volunteer scanning its QR code (``token``) or by
    geofence (location consent, within 300 m), or entered by staff. Counts as arrival
    in the incident's open call-outs."""
    if method not in CheckinMethod.values:
        raise ValidationFailed(_("未知的签到方式。"), code="bad_method")
    station = _lock(station)
    _require_checker(actor, station, volunteer, method)
    if not station.is_open:
        raise Conflict(STATION_CLOSED, code="station_closed")
    if method == CheckinMethod.QR and token != station.checkin_token:
        raise ValidationFailed(_("签到码无效。"), code="bad_token")
    if method == CheckinMethod.GEOFENCE:
        require_location_consent(volunteer)
        site = station.site
        if latitude is None or longitude is None or site.latitude is None:
            raise ValidationFailed(_("缺少位置信息。"), code="no_location")
        if haversine_m(latitude, longitude, site.latitude, site.longitude) > GEOFENCE_METRES:
            raise ValidationFailed(_("不在分站 300 米范围内。"), code="outside_geofence")
    if StationShift.objects.filter(
        station=station, volunteer=volunteer, checked_out_at__isnull=True
    ).exists():
        raise Conflict(_("已签到，尚未签退。"), code="already_checked_in")
    shift = StationShift.objects.create(
        station=station, volunteer=volunteer, method=method, checked_in_at=timezone.now()
    )
    mark_arrived_for_incident(incident=station.incident, volunteer=volunteer)
    return shift


def _credit(shift, actor, end) -> StationShift:
    shift.checked_out_at = end
    span = (end - shift.checked_in_at).total_seconds() / 3600
    if span >= float(min_service_hours()):
        staff = (
            actor
            if getattr(actor, "is_authenticated", False)
            and has_role_at(actor, shift.station.site.region)
            else None
        )
        shift.record = service_record_create(
            volunteer=shift.volunteer,
            region=shift.station.site.region,
            started_at=shift.checked_in_at,
            ended_at=end,
            source_type=ServiceSource.EMERGENCY,
            source_id=shift.station.pk,
            verification=VERIFICATION[shift.method],
            verified_by=staff,
            description=_("应急服务：%(s)s") % {"s": shift.station.site.name},
        )
    # Below the minimum nothing is credited (never a 0-hour record).
    shift.save(update_fields=["checked_out_at", "record"])
    return shift


@transaction.atomic
def station_checkout(
    *, actor, station, volunteer, method: str = CheckinMethod.QR, token: str = ""
) -> StationShift:
    """Departure: closes the open shift and credits its hours as emergency service
    (nothing below the minimum service time)."""
    station = _lock(station)
    _require_checker(actor, station, volunteer, method)
    if method == CheckinMethod.QR and token != station.checkin_token:
        raise ValidationFailed(_("签到码无效。"), code="bad_token")
    shift = (
        StationShift.objects.select_for_update(of=("self",))
        .select_related("volunteer", "station__site__region")
        .filter(station=station, volunteer=volunteer, checked_out_at__isnull=True)
        .first()
    )
    if shift is None:
        raise Conflict(_("没有未签退的签到。"), code="not_checked_in")
    return _credit(shift, actor, timezone.now())


@transaction.atomic
def station_close(*, actor, station, _incident_closing: bool = False) -> Station:
    """Close the station: everyone still there is checked out (and credited), the site's
    active period ends; its records stay."""
    station = _lock(station)
    if _incident_closing:
        pass  # incident_close has checked the actor
    else:
        require_may_run(actor, station.incident)
    if not station.is_open:
        raise Conflict(STATION_CLOSED, code="station_closed")
    now = timezone.now()
    for shift in (
        StationShift.objects.select_for_update(of=("self",))
        .select_related("volunteer", "station__site__region")
        .filter(station=station, checked_out_at__isnull=True)
    ):
        _credit(shift, actor, now)
    for project in Project.objects.filter(site=station.site, status=ProjectStatus.ACTIVE):
        project_retire(actor=actor, project=project)
    station.closed_at = now
    station.save(update_fields=["closed_at"])
    site_update(actor=actor, site=station.site, active_until=now)
    event_add(station.incident, IncidentAction.STATION_CLOSE, actor, station.site.name)
    return station
