"""离我最近: the practice sites nearest to a person, with the distance and the walking time
of the 15-minute circle (straight line at ``coverage.walk_speed_kmh()``).

Where the person is comes from their browser (geolocation, never stored) or, when they
refuse or have no GPS, from their home village (``User.home_region``). The site directory
and the map both read ``nearest_sites``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .coverage import haversine_m, walk_speed_kmh, walking_minutes

# Search boxes of growing half-width (km) before giving up on boxes and reading all sites
# the filters leave: a city answers from the first box, a province from the first few.
SEARCH_RADII_KM = (3, 10, 30, 100)
KM_PER_DEGREE = 111.195
# Up to this many candidate sites, read them all (one query) instead of searching boxes.
READ_ALL_BELOW = 3000


@dataclass(frozen=True)
class Origin:
    """Where distances are measured from: the device's position or the home village."""

    latitude: float
    longitude: float
    source: str  # "device" | "home"
    label: str

    @property
    def describe(self) -> str:
        if self.source == "home":
            return _("按您的居住地（%(place)s）计算") % {"place": self.label}
        return _("按您当前的位置计算")


@dataclass(frozen=True)
class NearSite:
    site: object
    distance_m: float
    walk_minutes: int

    @property
    def distance_label(self) -> str:
        if self.distance_m < 1000:
            return _("%(m)d 米") % {"m": round(self.distance_m / 10) * 10}
        return _("%(km).1f 公里") % {"km": self.distance_m / 1000}


def parse_point(lat, lng) -> tuple[float, float] | None:
    """A (lat, lng) from request strings, or None when either is missing or absurd."""
    try:
        la, ln = float(lat), float(lng)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(la) and math.isfinite(ln)) or not (-90 <= la <= 90):
        return None
    if not -180 <= ln <= 180:
        return None
    return la, ln


def home_origin(user) -> Origin | None:
    """The user's home village (or the nearest region above it with coordinates)."""
    if user is None or not user.is_authenticated or not user.home_region_id:
        return None
    region = user.home_region
    while region is not None and region.latitude is None:
        region = region.parent
    if region is None:
        return None
    return Origin(region.latitude, region.longitude, "home", user.home_region.display_name)


def origin_for(*, lat=None, lng=None, user=None) -> Origin | None:
    """The device position when given and sane, else the user's home village, else None."""
    point = parse_point(lat, lng)
    if point is not None:
        return Origin(point[0], point[1], "device", "")
    return home_origin(user)


def nearest_sites(qs: QuerySet, *, origin: Origin, limit: int = 30) -> list[NearSite]:
    """The ``limit`` sites of ``qs`` (any filters already applied) nearest to ``origin``,
    nearest first, skipping sites without coordinates.

    Up to ``READ_ALL_BELOW`` candidates (a city) are read at once. Beyond that it reads the
    sites inside a box around the origin and widens the box until ``limit`` of them lie
    within its half-width (then no site outside can be nearer), at worst reading every
    site ``qs`` leaves."""
    qs = qs.filter(latitude__isnull=False, longitude__isnull=False)
    lat, lng = origin.latitude, origin.longitude
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    rows: list = []
    # A city's few hundred sites are read at once; a province's are searched by boxes.
    radii = (None,) if qs.count() <= READ_ALL_BELOW else (*SEARCH_RADII_KM, None)
    for radius_km in radii:
        box = qs
        if radius_km is not None:
            dlat = radius_km / KM_PER_DEGREE
            dlng = radius_km / (KM_PER_DEGREE * cos_lat)
            box = qs.filter(
                latitude__gte=lat - dlat,
                latitude__lte=lat + dlat,
                longitude__gte=lng - dlng,
                longitude__lte=lng + dlng,
            )
        rows = list(box.values_list("id", "latitude", "longitude"))
        if radius_km is None:
            break
        if rows:
            d = haversine_m(lat, lng, [r[1] for r in rows], [r[2] for r in rows])
            if int((d <= radius_km * 1000).sum()) >= limit:
                break
    if not rows:
        return []
    dist = haversine_m(lat, lng, [r[1] for r in rows], [r[2] for r in rows])
    order = sorted(range(len(rows)), key=lambda i: (float(dist[i]), rows[i][0]))[:limit]
    by_id = qs.in_bulk([rows[i][0] for i in order])
    speed = walk_speed_kmh()
    out = []
    for i in order:
        site = by_id.get(rows[i][0])
        if site is not None:
            d = float(dist[i])
            out.append(NearSite(site, d, walking_minutes(d, speed)))
    return out
