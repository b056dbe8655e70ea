"""Declaring, changing and closing incidents; public notices; the timeline."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import ValidationFailed
from xinfeng.core.validation import full_clean_or_raise

from ..choices import CalloutStatus, IncidentAction, IncidentStatus, NeedStatus
from ..models import Incident, Notice
from ..policy import require_may_declare, require_may_run
from .stations import station_close
from .timeline import event_add, require_open


@transaction.atomic
def incident_declare(
    *,
    actor,
    region,
    title: str,
    kind: str,
    level: int,
    affected_regions,
    is_exercise: bool = False,
    description: str = "",
) -> Incident:
    """Declare an incident at ``region`` affecting ``affected_regions`` (each in its
    subtree). Center staff anywhere in their area, an institute for its township."""
    require_may_declare(actor, region)
    affected = list(affected_regions)
    if not affected:
        raise ValidationFailed(_("请至少选择一个受影响区划。"), code="no_affected_regions")
    outside = [r.name for r in affected if not r.is_within(region)]
    if outside:
        raise ValidationFailed(
            _("受影响区划不在响应区划内：%(n)s") % {"n": "、".join(outside)},
            code="affected_outside",
        )
    incident = Incident(
        title=(title or "").strip(),
        kind=kind,
        level=level,
        region=region,
        is_exercise=is_exercise,
        description=description or "",
        declared_by=actor,
        declared_at=timezone.now(),
    )
    full_clean_or_raise(incident)
    incident.save()
    incident.affected_regions.set(affected)
    event_add(
        incident,
        IncidentAction.DECLARE,
        actor,
        "、".join(r.name for r in affected),
    )
    return incident


def _lock(incident) -> Incident:
    return Incident.objects.select_for_update().select_related("region").get(pk=incident.pk)


@transaction.atomic
def incident_set_level(*, actor, incident, level: int, note: str = "") -> Incident:
    incident = _lock(incident)
    require_may_declare(actor, incident.region)
    require_open(incident)
    if level not in (1, 2, 3, 4):
        raise ValidationFailed(_("响应级别只能是 I–IV 级。"), code="bad_level")
    old = incident.level
    incident.level = level
    incident.save(update_fields=["level"])
    event_add(incident, IncidentAction.LEVEL, actor, f"{old} → {level} {note}".strip())
    return incident


@transaction.atomic
def incident_close(*, actor, incident, note: str = "") -> Incident:
    """Close the incident with everything still open under it: call-outs, tasks and
    temporary stations (their volunteers are checked out and credited)."""
    incident = _lock(incident)
    require_may_declare(actor, incident.region)
    require_open(incident)
    now = timezone.now()
    incident.callouts.filter(status=CalloutStatus.OPEN).update(
        status=CalloutStatus.CLOSED, closed_at=now
    )
    incident.needs.filter(status=NeedStatus.OPEN).update(status=NeedStatus.CLOSED, closed_at=now)
    for station in incident.stations.filter(closed_at__isnull=True).select_related("site"):
        station_close(actor=actor, station=station, _incident_closing=True)
    incident.status = IncidentStatus.CLOSED
    incident.closed_by = actor
    incident.closed_at = now
    incident.save(update_fields=["status", "closed_by", "closed_at"])
    event_add(incident, IncidentAction.CLOSE, actor, note)
    return incident


@transaction.atomic
def notice_publish(
    *, actor, incident, headline: str, description: str, instruction: str = ""
) -> Notice:
    """Publish a public notice of the incident (shown in the CAP 1.2 feed)."""
    require_may_run(actor, incident)
    require_open(incident)
    notice = Notice(
        incident=incident,
        headline=(headline or "").strip(),
        description=(description or "").strip(),
        instruction=(instruction or "").strip(),
        created_by=actor,
    )
    full_clean_or_raise(notice, exclude=["incident", "created_by"])
    notice.save()
    event_add(incident, IncidentAction.NOTICE, actor, notice.headline)
    return notice
