"""Public notices as OASIS Common Alerting Protocol 1.2 alerts, and the feed of them.

``/emergency/cap.xml`` is an Atom feed whose entries each carry one ``cap:alert`` (the
OASIS "CAP feeds" shape); ``/emergency/cap/<identifier>.xml`` is one alert alone. A drill's
notices say ``<status>Exercise</status>``, a real incident's ``Actual``.
"""

from xml.etree import ElementTree as ET

from django.utils import timezone

from .choices import IncidentKind

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
SENDER = "xinfeng.emergency"

CATEGORY = {
    IncidentKind.FLOOD: "Met",
    IncidentKind.STORM: "Met",
    IncidentKind.EPIDEMIC: "Health",
    IncidentKind.FIRE: "Fire",
    IncidentKind.OTHER: "Other",
}
SEVERITY = {1: "Extreme", 2: "Severe", 3: "Moderate", 4: "Minor"}
URGENCY = {1: "Immediate", 2: "Immediate", 3: "Expected", 4: "Expected"}

ET.register_namespace("", ATOM_NS)
ET.register_namespace("cap", CAP_NS)


def cap_time(dt) -> str:
    """CAP's dateTime: local time with a numeric offset, never ``Z``."""
    s = timezone.localtime(dt).replace(microsecond=0).isoformat()
    return s[:-6] + "-00:00" if s.endswith("+00:00") else s


def _sub(parent, tag, text=None, ns=CAP_NS):
    el = ET.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        el.text = str(text)
    return el


def alert_element(notice) -> ET.Element:
    inc = notice.incident
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(alert, "identifier", f"xinfeng-{notice.identifier}")
    _sub(alert, "sender", SENDER)
    _sub(alert, "sent", cap_time(notice.created_at))
    _sub(alert, "status", "Exercise" if inc.is_exercise else "Actual")
    _sub(alert, "msgType", "Alert")
    _sub(alert, "scope", "Public")
    _sub(alert, "incidents", f"xinfeng-incident-{inc.pk}")
    info = _sub(alert, "info")
    _sub(info, "language", "zh-CN")
    _sub(info, "category", CATEGORY.get(inc.kind, "Other"))
    _sub(info, "event", inc.get_kind_display())
    _sub(info, "urgency", URGENCY.get(inc.level, "Unknown"))
    _sub(info, "severity", SEVERITY.get(inc.level, "Unknown"))
    _sub(info, "certainty", "Observed")
    _sub(info, "senderName", "新风 · 新时代文明实践")
    _sub(info, "headline", notice.headline)
    _sub(info, "description", notice.description)
    if notice.instruction:
        _sub(info, "instruction", notice.instruction)
    regions = list(inc.affected_regions.all())
    area = _sub(info, "area")
    _sub(area, "areaDesc", "、".join(r.name for r in regions) or inc.region.name)
    for r in regions:
        if r.code:
            geocode = _sub(area, "geocode")
            _sub(geocode, "valueName", "CN-NBS")
            _sub(geocode, "value", r.code)
    return alert


def alert_xml(notice) -> bytes:
    return ET.tostring(alert_element(notice), encoding="utf-8", xml_declaration=True)


def feed_xml(notices, *, feed_url: str) -> bytes:
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", feed_url, ATOM_NS)
    _sub(feed, "title", "新风应急公告 (CAP 1.2)", ATOM_NS)
    notices = list(notices)
    updated = notices[0].created_at if notices else timezone.now()
    _sub(feed, "updated", timezone.localtime(updated).isoformat(), ATOM_NS)
    author = _sub(feed, "author", None, ATOM_NS)
    _sub(author, "name", SENDER, ATOM_NS)
    for n in notices:
        entry = _sub(feed, "entry", None, ATOM_NS)
        _sub(entry, "id", f"urn:uuid:{n.identifier}", ATOM_NS)
        _sub(entry, "title", n.headline, ATOM_NS)
        _sub(entry, "updated", timezone.localtime(n.created_at).isoformat(), ATOM_NS)
        content = _sub(entry, "content", None, ATOM_NS)
        content.set("type", "text/xml")
        content.append(alert_element(n))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
