"""What the practice-site map draws: site markers, popups, region sketches and the gaps of
the 15-minute circle. Coordinates leave here already converted for the configured tiles.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from xinfeng.core.errors import NotFound
from xinfeng.places import nearby
from xinfeng.places.coverage import walk_speed_kmh
from xinfeng.places.coverage_report import UNCOVERED_SHARE, cached_coverage_report
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import PATH_SEGMENT, Region, subtree_q

from . import selectors
from .geo import for_map, hull, uses_gcj02
from .models import RegionStat, RollupRun

SITES_KEY = "xf:insights:map:sites"
SITES_TTL = 60
REGIONS_TTL = 300
MAX_VILLAGE_POINTS = 3000
NEXT_ACTIVITIES = 3
# Each village point is grown by ~500 m before the hull, so small townships still show.
SKETCH_PAD_DEG = 0.005


def tiles() -> dict:
    """The base-map configuration the page's script needs (empty url: no tiles, offline)."""
    return {
        "url": getattr(settings, "MAP_TILE_URL", "") or "",
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", "") or "",
        "crs": "gcj02" if uses_gcj02() else "wgs84",
    }


def forget_sites(**_signal_kwargs) -> None:
    """Signal receiver: a site changed, drop the cached marker layer."""
    cache.delete(SITES_KEY)


def sites_geojson() -> tuple[str, str]:
    """All open sites with coordinates as compact GeoJSON, and its ETag. One query, cached
    for a minute (and dropped when a site is saved in this process)."""
    cached = cache.get(SITES_KEY)
    if cached is not None:
        return cached
    features = []
    rows = (
        Site.objects.open_at()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("id")
        .values_list("id", "name", "level", "is_complex", "latitude", "longitude")
    )
    for sid, name, level, is_complex, lat, lng in rows:
        lat, lng = for_map(lat, lng)
        props = {"i": sid, "n": name, "l": level}
        if is_complex:
            props["c"] = 1
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lng, lat]},
                "properties": props,
            }
        )
    body = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    etag = '"' + hashlib.md5(body.encode(), usedforsecurity=False).hexdigest() + '"'
    cache.set(SITES_KEY, (body, etag), SITES_TTL)
    return body, etag


def nearest(*, lat=None, lng=None, user=None, limit: int = 5) -> dict:
    """离我最近 on the map: the open sites nearest to the device position, or to the
    user's home village when no position is given; distances and walking times as the
    site directory shows them (``places.nearby``)."""
    origin = nearby.origin_for(lat=lat, lng=lng, user=user)
    if origin is None:
        return {"origin": None, "items": [], "speed_kmh": walk_speed_kmh()}
    found = nearby.nearest_sites(
        Site.objects.open_at().select_related("region"), origin=origin, limit=limit
    )
    o = for_map(origin.latitude, origin.longitude)
    items = []
    for n in found:
        point = for_map(n.site.latitude, n.site.longitude)
        items.append(
            {
                "id": n.site.pk,
                "name": n.site.name,
                "level": n.site.level,
                "level_label": str(n.site.get_level_display()),
                "lat": point[0],
                "lng": point[1],
                "distance_m": round(n.distance_m),
                "distance": n.distance_label,
                "walk_minutes": n.walk_minutes,
                "url": reverse("places:site_detail", args=[n.site.pk]),
            }
        )
    return {
        "origin": {
            "lat": o[0],
            "lng": o[1],
            "source": origin.source,
            "label": origin.label,
            "describe": origin.describe,
        },
        "items": items,
        "speed_kmh": walk_speed_kmh(),
    }


def _activity_url(activity_id: int) -> str:
    return reverse("activities:detail", args=[activity_id])


def site_popup(*, site_id: int) -> dict:
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        raise NotFound()
    from xinfeng.activities.selectors import public_activities

    upcoming = public_activities(site=site).order_by("starts_at", "id")[:NEXT_ACTIVITIES]
    point = for_map(site.latitude, site.longitude)
    return {
        "id": site.pk,
        "name": site.name,
        "level": site.level,
        "level_label": str(site.get_level_display()),
        "is_complex": site.is_complex,
        "address": site.address,
        "opening_hours": site.opening_hours,
        "lat": point[0] if point else None,
        "lng": point[1] if point else None,
        "url": reverse("places:site_detail", args=[site.pk]),
        "next_activities": [
            {"id": a.pk, "title": a.title, "starts_at": a.starts_at, "url": _activity_url(a.pk)}
            for a in upcoming
        ],
        "tiles": tiles(),
    }


def _region_or_top(region_id: int | None) -> Region:
    if region_id is None:
        return selectors.top_region()
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound()
    return region


def _ring_feature(points: list[tuple[float, float]], props: dict) -> dict | None:
    ring = hull(points, pad_deg=SKETCH_PAD_DEG)
    if ring is None:
        return None
    coords = []
    for lat, lng in ring:
        mlat, mlng = for_map(lat, lng)
        coords.append([mlng, mlat])
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [coords]},
        "properties": props,
    }


def _sketch(region: Region) -> dict:
    """Outlines of the region's children and of the region itself, and the village points:
    a recognisable map with no tiles and no boundary data.

    A child's outline is the convex hull of its villages' points *and of its open sites*,
    each grown by ``SKETCH_PAD_DEG``: a site stands wherever its address is, often away
    from the village's registered point, and an outline drawn from village points alone
    left such sites outside every outline. Growing each point first puts every site
    strictly inside its own region's outline. The region's own outline (``"own": 1``)
    holds everything, including the sites that belong to no child (e.g. 市直 sites)."""
    rows = list(
        Region.objects.filter(subtree_q([region.path]), latitude__isnull=False)
        .order_by("path")
        .values("id", "name", "short_name", "level", "path", "latitude", "longitude")
    )
    site_rows = list(
        Site.objects.open_at()
        .filter(subtree_q([region.path], "region__path"), latitude__isnull=False)
        .exclude(longitude=None)
        .values_list("region__path", "latitude", "longitude")
    )
    child_len = len(region.path) + PATH_SEGMENT
    children = {r["path"]: r for r in rows if len(r["path"]) == child_len}
    members: dict[str, list] = {p: [] for p in children}
    everything: list[tuple[float, float]] = []
    villages = []
    for r in rows:
        if len(r["path"]) > child_len:
            key = r["path"][:child_len]
            if key in members and r["level"] in (RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE):
                members[key].append((r["latitude"], r["longitude"]))
                everything.append((r["latitude"], r["longitude"]))
        if r["level"] == RegionLevel.VILLAGE:
            villages.append(r)
    for path, lat, lng in site_rows:
        everything.append((lat, lng))
        key = path[:child_len]
        if len(path) >= child_len and key in members:
            members[key].append((lat, lng))
    outlines = []
    if not everything and region.latitude is not None:
        everything = [(region.latitude, region.longitude)]
    own = _ring_feature(everything, {"i": region.pk, "n": region.display_name, "own": 1})
    if own is not None:
        outlines.append(own)
    for path, child in children.items():
        pts = members[path] or [(child["latitude"], child["longitude"])]
        feature = _ring_feature(pts, {"i": child["id"], "n": child["short_name"] or child["name"]})
        if feature is not None:
            outlines.append(feature)
    points = []
    if len(villages) <= MAX_VILLAGE_POINTS:
        for v in villages:
            lat, lng = for_map(v["latitude"], v["longitude"])
            points.append([v["id"], v["short_name"] or v["name"], lat, lng])
    return {"outlines": {"type": "FeatureCollection", "features": outlines}, "villages": points}


def region_overlay(*, region_id: int | None) -> dict:
    """The map's region layer, from the region table (sketch, cached) and the rollup
    (coverage, gaps and suggestions)."""
    region = _region_or_top(region_id)
    key = f"xf:insights:map:sketch:{region.pk}:{tiles()['crs']}"
    sketch = cache.get(key)
    if sketch is None:
        sketch = _sketch(region)
        cache.set(key, sketch, REGIONS_TTL)
    stat = RegionStat.objects.filter(region=region).values("figures").first()
    figures = stat["figures"] if stat else {}
    uncovered = []
    for s in selectors.uncovered_villages(region=region, below=UNCOVERED_SHARE):
        point = for_map(s.region.latitude, s.region.longitude)
        if point is None:
            continue
        f = s.figures
        uncovered.append(
            {
                "id": s.region_id,
                "name": s.region.display_name,
                "lat": point[0],
                "lng": point[1],
                "population": f.get("population", 0),
                "uncovered": f.get("population", 0) - f.get("population_covered", 0),
                "share": s.coverage,
            }
        )
    suggestions = []
    for sug in figures.get("suggestions", []):
        lat, lng = for_map(sug["lat"], sug["lng"])
        suggestions.append({**sug, "lat": lat, "lng": lng})
    last = (
        RollupRun.objects.filter(status=RollupRun.Status.OK)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return {
        "region": {"id": region.pk, "name": region.display_name, "level": region.level},
        "center": for_map(region.latitude, region.longitude),
        "coverage": figures.get("coverage"),
        "population": figures.get("population"),
        "population_covered": figures.get("population_covered"),
        "uncovered": uncovered,
        "suggestions": suggestions,
        "as_of": last,
        "tiles": tiles(),
        **sketch,
    }


def coverage_payload(
    *, region_id: int | None, minutes: float, speed_kmh: float, picks: int
) -> dict:
    """The circle computed now (cached a few minutes) for any walk the user picks."""
    region = _region_or_top(region_id)
    report = cached_coverage_report(root=region, minutes=minutes, speed_kmh=speed_kmh, picks=picks)
    root = report.root
    children = sorted(
        (r for r in report.regions.values() if r.parent_id == region.pk and r.population > 0),
        key=lambda r: (r.share if r.share is not None else 2, r.path),
    )

    def row(r):
        point = for_map(r.latitude, r.longitude)
        return {
            "id": r.id,
            "name": r.name,
            "level": r.level,
            "population": round(r.population),
            "covered": round(r.covered),
            "share": round(r.share, 4) if r.share is not None else None,
            "lat": point[0] if point else None,
            "lng": point[1] if point else None,
        }

    suggestions = []
    for s in report.suggestions:
        lat, lng = for_map(s.latitude, s.longitude)
        suggestions.append({"lat": lat, "lng": lng, "gain": round(s.gain), "region": s.region_name})
    return {
        "region": {"id": region.pk, "name": region.display_name, "level": region.level},
        "minutes": minutes,
        "speed_kmh": speed_kmh,
        "radius_m": round(report.radius_m, 1),
        "population": round(root.population) if root else 0,
        "covered": round(root.covered) if root else 0,
        "share": round(root.share, 4) if root and root.share is not None else None,
        "points": report.point_count,
        "sites": report.site_count,
        "children": [row(r) for r in children],
        "uncovered_villages": [row(r) for r in report.uncovered_villages()],
        "suggestions": suggestions,
        "computed_at": report.computed_at,
        "method": "straight-line walk; greedy maximal coverage for suggestions",
    }
