"""Insights API: dashboard figures (rollups), the practice-site map and the 15-minute circle.

The map endpoints are public (sites and region-level coverage are public information);
the dashboard needs a reading role over the region (404 outside it, like a missing one).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from xinfeng.core.schema import DbId

from . import conf, map_data, selectors
from .views_common import dashboard_payload

router = Router(tags=["insights"])


class DashboardOut(Schema):
    region: dict
    as_of: datetime | None
    figures: dict
    months: dict
    children: list[dict]
    own: dict | None = Field(
        None, description="what belongs to no child (e.g. 市直); children + own = figures"
    )
    total: dict
    villages: list[dict]


@router.get(
    "/regions/{region_id}/dashboard",
    response=DashboardOut,
    url_name="insights_dashboard",
    summary="Dashboard figures of a region (from the rollup tables)",
)
def region_dashboard(request, region_id: DbId, ranking: str = "hours"):
    region = selectors.dashboard_region(user=request.user, region_id=region_id)
    board = selectors.dashboard(user=request.user, region=region, ranking=ranking)
    return dashboard_payload(board)


@router.get(
    "/map/sites",
    url_name="insights_map_sites",
    summary="All open practice sites as compact GeoJSON (cached)",
    description=(
        "A FeatureCollection of Points; properties are `i` (id), `n` (name), `l` (level) "
        "and `c` (1 for a party-service complex). Coordinates follow the configured tiles "
        "(GCJ-02 when MAP_TILE_CRS=gcj02, else WGS-84)."
    ),
)
def map_sites(request):
    body, etag = map_data.sites_geojson()
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    return HttpResponse(
        body,
        content_type="application/geo+json",
        headers={"ETag": etag, "Cache-Control": "public, max-age=60"},
    )


class NextActivity(Schema):
    id: int
    title: str
    starts_at: datetime
    url: str


class SitePopup(Schema):
    id: int
    name: str
    level: str
    level_label: str
    is_complex: bool
    address: str
    opening_hours: str
    lat: float | None
    lng: float | None
    url: str
    next_activities: list[NextActivity]
    tiles: dict


@router.get(
    "/map/sites/{site_id}",
    response=SitePopup,
    url_name="insights_map_site",
    summary="One site for a map popup",
)
def map_site(request, site_id: DbId):
    return map_data.site_popup(site_id=site_id)


@router.get(
    "/map/regions",
    url_name="insights_map_regions",
    summary="Region sketch, village points and the 15-minute-circle gaps (from the rollup)",
)
def map_regions(request, region_id: DbId | None = None):
    return map_data.region_overlay(region_id=region_id)


class NearestQuery(Schema):
    lat: float | None = Field(None, ge=-90, le=90, description="the device's latitude (WGS-84)")
    lng: float | None = Field(None, ge=-180, le=180, description="the device's longitude")
    limit: int = Field(5, ge=1, le=20)


@router.get(
    "/map/nearest",
    url_name="insights_map_nearest",
    summary="离我最近: the open sites nearest to a position or to the user's home village",
    description=(
        "With `lat` and `lng` (the browser's position, not stored) distances are measured "
        "from there; without them from the signed-in user's home village; `origin` is null "
        "when neither is known. `walk_minutes` is the straight-line walk at the 15-minute "
        "circle's speed (`speed_kmh`)."
    ),
)
def map_nearest(request, params: Query[NearestQuery]):
    return map_data.nearest(lat=params.lat, lng=params.lng, user=request.user, limit=params.limit)


class CoverageQuery(Schema):
    region_id: DbId | None = None
    minutes: float | None = Field(
        None, gt=0, le=120, description="walking minutes (default: XINFENG_WALK_MINUTES, 15)"
    )
    speed_kmh: float | None = Field(
        None,
        ge=0.5,
        le=30,
        description="walking speed, km/h (default: XINFENG_WALK_SPEED_KMH, 4.5)",
    )
    picks: int = Field(3, ge=0, le=10, description="new points to suggest (greedy)")


@router.get(
    "/coverage",
    url_name="insights_coverage",
    summary="The 15-minute circle computed now for a region and a walk (cached briefly)",
)
def coverage(request, params: Query[CoverageQuery]):
    return map_data.coverage_payload(
        region_id=params.region_id,
        minutes=params.minutes if params.minutes is not None else conf.walk_minutes(),
        speed_kmh=params.speed_kmh if params.speed_kmh is not None else conf.walk_speed_kmh(),
        picks=params.picks,
    )
