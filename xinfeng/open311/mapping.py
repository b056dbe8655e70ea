"""How our objects read in GeoReport v2: projects are services, orders are requests.

- service: an active project; ``service_code`` is the project id, ``group`` its category,
  ``metadata`` true (see the definition), ``type`` "realtime" (the order exists at once).
- service definition: optional attributes ``region`` (the village or township, a list of
  the project's orderable areas), ``wanted_from`` and ``wanted_until`` (datetimes); for a
  project serving one age group (老年人, 少年儿童…) a required ``age`` (the age of the
  person served, checked against the group).
- request: an order; ``status`` open/closed, the detailed state in ``status_notes``,
  ``agency_responsible`` the responsible site, the place as the region's name plus lat/long
  rounded to 3 decimals (about 100 m: residents' homes are not published precisely).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from django.conf import settings
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from xinfeng.core.validation import PLAN, window_error
from xinfeng.orders.choices import OPEN_STATES, OrderChannel, OrderState
from xinfeng.orders.dispatch_score import haversine_km
from xinfeng.orders.models import OrderPhoto
from xinfeng.projects.choices import AGE_RANGES, MAX_AGE, AgeGroup, ProjectStatus
from xinfeng.projects.models import Project
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q
from xinfeng.volunteers.choices import ServiceCategory

from .render import Open311Error

DEFAULT_JURISDICTION = "360482"  # 共青城市, the demo city's statistical code
# A pin farther than this from every village of the service's area is outside it.
MAX_PIN_DISTANCE_KM = 30.0
PUBLIC_DECIMALS = 3


def jurisdictions() -> set[str]:
    """Accepted ``jurisdiction_id`` values (settings.XINFENG_OPEN311_JURISDICTION, default
    the demo city's 6-digit code; the 12-digit form is accepted too)."""
    code = str(getattr(settings, "XINFENG_OPEN311_JURISDICTION", DEFAULT_JURISDICTION))
    return {code, code.ljust(12, "0")}


def check_jurisdiction(value: str | None) -> None:
    if value is not None and value.strip() and value.strip() not in jurisdictions():
        raise Open311Error(404, _("未知的 jurisdiction_id：%(v)s") % {"v": value})


def active_projects():
    return Project.objects.filter(status=ProjectStatus.ACTIVE).select_related("site")


def get_project(code: str) -> Project:
    if not code or not str(code).strip():
        raise Open311Error(400, _("缺少 service_code。"))
    if not str(code).strip().isdigit():
        raise Open311Error(404, _("未找到服务：%(c)s") % {"c": code})
    project = active_projects().filter(pk=int(code)).first()
    if project is None:
        raise Open311Error(404, _("未找到服务：%(c)s") % {"c": code})
    return project


def _category_labels() -> dict[str, str]:
    """Each service category's label in the active language (built once per response)."""
    return {value: str(label) for value, label in ServiceCategory.choices}


# The columns a service reads (``values()``: no model instances, no unused datetime
# columns to convert); the description is cut to 200 characters by the database.
SERVICE_COLUMNS = ("id", "name", "summary", "description_200", "category", "site__name")


def service_rows(projects) -> list[dict]:
    """GeoReport services of a queryset of projects."""
    labels = _category_labels()
    out = []
    for p in projects.annotate(description_200=Substr("description", 1, 200)).values(
        *SERVICE_COLUMNS
    ):
        group = labels.get(p["category"], p["category"])
        out.append(
            {
                "service_code": str(p["id"]),
                "service_name": p["name"],
                "description": p["summary"] or p["description_200"],
                "metadata": True,
                "type": "realtime",
                "keywords": ",".join(filter(None, [group, p["site__name"]])),
                "group": group,
            }
        )
    return out


def project_areas(project: Project) -> list[Region]:
    """The villages and townships a resident may order this project from."""
    roots = list(project.areas.all()) or [project.site.region]
    return (
        list(
            Region.objects.filter(subtree_q([r.path for r in roots]))
            .filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE])
            .order_by("path")
        )
        or roots
    )


def service_definition(project: Project) -> dict:
    areas = project_areas(project)
    attributes = [
        {
            "variable": True,
            "code": "region",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("不填时按经纬度取最近的村（社区）。"),
            "order": 1,
            "description": _("服务地点所在的村（社区）或乡镇"),
            "values": [{"key": r.code or str(r.pk), "name": r.name} for r in areas],
        },
        {
            "variable": True,
            "code": "wanted_from",
            "datatype": "datetime",
            "required": False,
            "datatype_description": _("ISO 8601 时间，如 2024-05-01T09:00:00+08:00"),
            "order": 2,
            "description": _("期望开始时间"),
        },
        {
            "variable": True,
            "code": "wanted_until",
            "datatype": "datetime",
            "required": False,
            "datatype_description": _("ISO 8601 时间，晚于期望开始时间"),
            "order": 3,
            "description": _("期望结束时间"),
        },
    ]
    if project.age_group != AgeGroup.ALL:
        low, high = AGE_RANGES[project.age_group]
        attributes.append(
            {
                "variable": True,
                "code": "age",
                "datatype": "number",
                "required": True,
                "datatype_description": _("整数，%(lo)d 到 %(hi)d")
                % {"lo": low, "hi": min(high, MAX_AGE)},
                "order": 4,
                "description": _("服务对象年龄（本服务只面向%(group)s）")
                % {"group": AgeGroup(project.age_group).label},
            }
        )
    return {"service_code": str(project.pk), "attributes": attributes}


def parse_age(value: str | None) -> int | None:
    """The ``age`` attribute: a whole number of years, or absent."""
    if value is None or not value.strip():
        return None
    try:
        age = int(value.strip())
    except ValueError:
        raise Open311Error(400, _("age 须为整数。")) from None
    if not 0 <= age <= MAX_AGE:
        raise Open311Error(400, _("age 超出范围（0 到 %(hi)d）。") % {"hi": MAX_AGE})
    return age


def parse_coordinate(value: str | None, name: str, low: float, high: float) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, _("%(n)s 不是有效的数字。") % {"n": name}) from None
    if not np.isfinite(number) or not low <= number <= high:
        raise Open311Error(
            400, _("%(n)s 超出范围（%(lo)s 到 %(hi)s）。") % {"n": name, "lo": low, "hi": high}
        )
    return number


def parse_when(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        when = parse_datetime(value.strip())
    except ValueError:  # well formed but not a date (month 13, hour 25)
        when = None
    if when is None:
        raise Open311Error(400, _("%(n)s 不是有效的 ISO 8601 时间。") % {"n": name})
    error = window_error(when, PLAN)
    if error:
        raise Open311Error(400, f"{name}: {error}")
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def resolve_region(project: Project, code: str | None, lat: float | None, lon: float | None):
    """The region of the request: the ``region`` attribute if given, else the nearest of the
    project's villages (or townships) to the pin, else the project site's region."""
    areas = project_areas(project)
    if code:
        for r in areas:
            if code.strip() in (r.code, str(r.pk)):
                return r
        raise Open311Error(400, _("region 不在该服务的范围内：%(c)s") % {"c": code})
    if lat is not None and lon is not None:
        placed = [r for r in areas if r.latitude is not None and r.longitude is not None]
        if placed:
            km = haversine_km(
                lat,
                lon,
                np.array([r.latitude for r in placed]),
                np.array([r.longitude for r in placed]),
            )
            # Prefer villages: the deepest level among the nearest.
            best = int(np.lexsort(([-r.depth for r in placed], np.round(km, 3)))[0])
            if km[best] > MAX_PIN_DISTANCE_KM:
                raise Open311Error(400, _("该位置不在本服务的服务范围内。"))
            return placed[best]
    return project.site.region


def _absolute(url: str, base_url: str) -> str:
    return url if url.startswith(("http://", "https://")) else base_url + url


# The columns a request reads (``values()``).
REQUEST_COLUMNS = (
    "id", "state", "channel", "title", "description", "project_id", "project__name",
    "team_id", "team__name", "site__name", "region__name", "region__code",
    "region__latitude", "region__longitude", "latitude", "longitude", "submitted_at",
    "updated_at", "due_at",
)  # fmt: skip


def request_rows(orders, base_url: str = "") -> list[dict]:
    """GeoReport requests of a queryset of orders (ordered and sliced by the caller): one
    query for the orders, one for the first photo of each. ``base_url`` (scheme and host)
    makes ``media_url`` absolute: the first photo of the completion report, if any."""
    rows = list(orders.values(*REQUEST_COLUMNS))
    if not rows:
        return []
    photos: dict[int, str] = {}
    storage = OrderPhoto._meta.get_field("image").storage
    for order_id, name in (
        OrderPhoto.objects.filter(order_id__in=[r["id"] for r in rows])
        .order_by("-id")
        .values_list("order_id", "image")
    ):
        photos[order_id] = name  # newest first: the oldest (the first photo) is kept
    states = {value: str(label) for value, label in OrderState.choices}
    status_label, team_label = _("状态：%(s)s"), _("；承接队伍：%(t)s")
    hidden_team = (OrderState.REJECTED, OrderState.CANCELLED)
    tz = timezone.get_current_timezone()
    out = []
    for o in rows:
        notes = status_label % {"s": states.get(o["state"], o["state"])}
        if o["team_id"] and o["state"] not in hidden_team:
            notes += team_label % {"t": o["team__name"]}
        description = o["description"] if o["channel"] == OrderChannel.OPEN311 else o["title"]
        lat, lon = o["latitude"], o["longitude"]
        lat = round(lat, PUBLIC_DECIMALS) if lat is not None else None
        lon = round(lon, PUBLIC_DECIMALS) if lon is not None else None
        if lat is None and o["region__latitude"] is not None:
            lat, lon = o["region__latitude"], o["region__longitude"]
        photo = photos.get(o["id"])
        out.append(
            {
                "service_request_id": str(o["id"]),
                "status": "open" if o["state"] in OPEN_STATES else "closed",
                "status_notes": notes,
                "service_name": o["project__name"] if o["project_id"] else o["title"],
                "service_code": str(o["project_id"]) if o["project_id"] else "",
                "description": description,
                "agency_responsible": o["site__name"],
                "service_notice": "",
                "requested_datetime": o["submitted_at"].astimezone(tz).isoformat(),
                "updated_datetime": o["updated_at"].astimezone(tz).isoformat(),
                "expected_datetime": o["due_at"].astimezone(tz).isoformat() if o["due_at"] else "",
                "address": o["region__name"],
                "address_id": o["region__code"] or "",
                "zipcode": "",
                "lat": lat,
                "long": lon,
                "media_url": _absolute(storage.url(photo), base_url) if photo else "",
            }
        )
    return out
