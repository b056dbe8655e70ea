"""The incident timeline and the open-incident guard, shared by every emergency service
(kept apart from incidents.py so stations, tasks and call-outs need not import it)."""

from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict

from ..models import IncidentEvent

CLOSED = _("事件已结束。")


def event_add(incident, action, actor=None, note: str = "") -> IncidentEvent:
    """Append one step to the incident's timeline."""
    return IncidentEvent.objects.create(
        incident=incident,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=str(note)[:300],
    )


def require_open(incident) -> None:
    if not incident.is_open:
        raise Conflict(CLOSED, code="incident_closed")
