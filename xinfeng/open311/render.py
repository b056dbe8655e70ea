"""GeoReport v2 responses in JSON or XML, and the spec's error format.

XML follows the element names of the specification: ``<services><service>``,
``<service_definition>`` with ``<attributes><attribute>`` and ``<values><value>``,
``<service_requests><request>``, ``<discovery>`` with ``<endpoints><endpoint>`` and
``<formats><format>``, and ``<errors><error><code/><description/></error></errors>``.
"""

from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

FORMATS = {"json": "application/json", "xml": "text/xml"}

# For a list under a key, the element name of each item.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311Error(Exception):
    """An error the spec lets us answer: ``status`` (400, 403, 404) and a description."""

    def __init__(self, status: int, description: str):
        self.status = status
        self.description = str(description)
        super().__init__(self.description)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(elem: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            child = ET.SubElement(elem, key)
            if isinstance(sub, list):
                item = ITEM_NAMES.get(key, "item")
                for entry in sub:
                    _fill(ET.SubElement(child, item), entry)
            else:
                _fill(child, sub)
    else:
        elem.text = _text(value)


def to_xml(root: str, payload) -> bytes:
    """``payload`` is a list (items named after ``root``) or a dict (the root's children)."""
    elem = ET.Element(root)
    if isinstance(payload, list):
        item = ITEM_NAMES.get(root, "item")
        for entry in payload:
            _fill(ET.SubElement(elem, item), entry)
    else:
        _fill(elem, payload)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(elem, encoding="utf-8")


def respond(fmt: str, root: str, payload, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            to_xml(root, payload), status=status, content_type="text/xml; charset=utf-8"
        )
    return JsonResponse(
        payload, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )


def error_response(fmt: str, errors: list[tuple[int, str]], status: int) -> HttpResponse:
    payload = [{"code": code, "description": str(desc)} for code, desc in errors]
    return respond(fmt if fmt in FORMATS else "json", "errors", payload, status=status)
