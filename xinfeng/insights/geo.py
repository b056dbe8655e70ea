"""Map coordinates: WGS-84 → GCJ-02 for Chinese tile services, and simple region outlines.

Coordinates are stored in WGS-84 (GPS). Tile services in mainland China (AMap, Tencent,
…) draw in GCJ-02, offset by up to several hundred metres; when ``MAP_TILE_CRS`` is
``"gcj02"`` the map API converts every coordinate it sends with the standard published
transform (Krasovsky 1940 ellipsoid constants), so markers sit on the right street.
Outside mainland China's bounding box coordinates are unchanged, as the services do.
"""

from __future__ import annotations

import math

import numpy as np
from django.conf import settings

_A = 6378245.0
_EE = 0.00669342162296594323


def uses_gcj02() -> bool:
    return str(getattr(settings, "MAP_TILE_CRS", "wgs84")).lower() == "gcj02"


def out_of_china(lat: float, lng: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _delta_lng(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """(lat, lng) in WGS-84 → (lat, lng) in GCJ-02."""
    if out_of_china(lat, lng):
        return lat, lng
    dlat = _delta_lat(lng - 105.0, lat - 35.0)
    dlng = _delta_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float, tolerance: float = 1e-7) -> tuple[float, float]:
    """The inverse, by fixed-point iteration (about 1 mm after a few rounds)."""
    wlat, wlng = lat, lng
    for _ in range(30):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        dlat, dlng = glat - lat, glng - lng
        wlat, wlng = wlat - dlat, wlng - dlng
        if abs(dlat) < tolerance and abs(dlng) < tolerance:
            break
    return wlat, wlng


def for_map(lat: float | None, lng: float | None) -> tuple[float, float] | None:
    """A stored WGS-84 point as the configured map tiles expect it (rounded to ~0.1 m)."""
    if lat is None or lng is None:
        return None
    if uses_gcj02():
        lat, lng = wgs84_to_gcj02(lat, lng)
    return round(lat, 6), round(lng, 6)


def hull(
    points: list[tuple[float, float]], pad_deg: float = 0.0
) -> list[tuple[float, float]] | None:
    """The convex hull of (lat, lng) points as a closed ring, or None when the points span
    no area. ``pad_deg`` grows every point into a small square first, so one or two
    villages still give a visible outline.

    Used to sketch a township from its villages when no boundary data or tiles exist.
    """
    if pad_deg > 0:
        points = [
            (lat + dy, lng + dx)
            for lat, lng in points
            for dy, dx in ((pad_deg, 0), (-pad_deg, 0), (0, pad_deg), (0, -pad_deg))
        ]
    if len(points) < 3:
        return None
    from scipy.spatial import ConvexHull, QhullError

    arr = np.array(points, dtype=np.float64)
    try:
        h = ConvexHull(arr)
    except QhullError:  # all points on a line
        return None
    ring = [(float(arr[i, 0]), float(arr[i, 1])) for i in h.vertices]
    return [*ring, ring[0]]
