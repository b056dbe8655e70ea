"""Places API: regions, sites and venues. Lists use keyset pagination (``cursor``)."""

from datetime import datetime, time

from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from xinfeng.core.errors import NotFound
from xinfeng.core.pagination import keyset_page

from . import selectors, services
from .choices import PointKind, SiteLevel

router = Router(tags=["places"])


class RegionOut(Schema):
    id: int
    code: str | None
    name: str
    level: str
    parent_id: int | None
    depth: int
    population: int | None
    latitude: float | None
    longitude: float | None


class RegionPage(Schema):
    items: list[RegionOut]
    next_cursor: str | None


class SiteOut(Schema):
    id: int
    name: str
    level: str
    level_label: str = Field(..., alias="get_level_display")
    point_kind: str
    region_id: int
    region_name: str = Field(..., alias="region.name")
    parent_id: int | None
    host_unit: str
    address: str
    latitude: float | None
    longitude: float | None
    opening_hours: str
    phone: str
    responsible_title: str
    facilities: list[str]
    guiding_departments: list[str]
    is_complex: bool
    active_from: datetime | None
    active_until: datetime | None
    is_open: bool


class SitePage(Schema):
    items: list[SiteOut]
    next_cursor: str | None


class SiteIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    level: SiteLevel
    region_id: int
    point_kind: PointKind = PointKind.GENERAL
    parent_id: int | None = None
    host_unit: str = ""
    address: str = ""
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    opening_hours: str = ""
    phone: str = ""
    description: str = ""
    responsible_name: str = ""
    responsible_title: str = ""
    facilities: list[str] = []
    guiding_departments: list[str] = []
    is_complex: bool = False
    active_from: datetime | None = None
    active_until: datetime | None = None


class SitePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    parent_id: int | None = None
    host_unit: str | None = None
    address: str | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    opening_hours: str | None = None
    phone: str | None = None
    description: str | None = None
    responsible_name: str | None = None
    responsible_title: str | None = None
    facilities: list[str] | None = None
    guiding_departments: list[str] | None = None
    is_complex: bool | None = None
    active_from: datetime | None = None
    active_until: datetime | None = None


class VenueOut(Schema):
    id: int
    site_id: int
    name: str
    uses: list[str]
    capacity: int
    opens_at: time | None
    closes_at: time | None
    description: str
    is_active: bool


class VenuePage(Schema):
    items: list[VenueOut]
    next_cursor: str | None


class VenueIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    uses: list[str] = []
    capacity: int = Field(..., ge=1, le=100000)
    opens_at: time | None = None
    closes_at: time | None = None
    description: str = ""
    is_active: bool = True

    @field_validator("uses")
    @classmethod
    def _unique(cls, v):
        return list(dict.fromkeys(v))


class VenuePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    uses: list[str] | None = None
    capacity: int | None = Field(None, ge=1, le=100000)
    opens_at: time | None = None
    closes_at: time | None = None
    description: str | None = None
    is_active: bool | None = None


def _region_or_404(region_id: int | None):
    return selectors.region_get(region_id=region_id) if region_id is not None else None


def _site_or_404(site_id: int | None):
    return selectors.site_get(site_id=site_id) if site_id is not None else None


@router.get("/regions", response=RegionPage, summary="List regions (filter by parent, level, text)")
def list_regions(
    request,
    parent_id: int | None = None,
    level: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
):
    items, nxt = keyset_page(
        selectors.region_list(parent_id=parent_id, level=level, q=q),
        cursor=cursor,
        limit=limit,
        ordering=("path", "id"),
    )
    return {"items": items, "next_cursor": nxt}


@router.get("/regions/{region_id}", response=RegionOut)
def get_region(request, region_id: int):
    return selectors.region_get(region_id=region_id)


@router.get("/sites", response=SitePage, summary="Public site directory")
def list_sites(
    request,
    region_id: int | None = None,
    level: SiteLevel | None = None,
    q: str | None = None,
    is_complex: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    qs = selectors.site_list(
        region=_region_or_404(region_id), level=level, q=q, is_complex=is_complex
    )
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": items, "next_cursor": nxt}


@router.get("/sites/{site_id}", response=SiteOut)
def get_site(request, site_id: int):
    return selectors.site_get(site_id=site_id)


@router.post("/sites", response={201: SiteOut}, summary="Create a site (staff of the region)")
def create_site(request, payload: SiteIn):
    data = payload.dict()
    region = _region_or_404(data.pop("region_id"))
    data["parent"] = _site_or_404(data.pop("parent_id"))
    site = services.site_create(actor=request.user, region=region, **data)
    return Status(201, selectors.site_get(site_id=site.pk))


@router.patch("/sites/{site_id}", response=SiteOut, summary="Update a site (staff of the region)")
def update_site(request, site_id: int, payload: SitePatch):
    site = selectors.sites_managed_by(user=request.user).filter(pk=site_id).first()
    if site is None:
        raise NotFound()
    data = payload.dict(exclude_unset=True)
    if "parent_id" in data:
        data["parent"] = _site_or_404(data.pop("parent_id"))
    services.site_update(actor=request.user, site=site, **data)
    return selectors.site_get(site_id=site_id)


@router.get("/venues", response=VenuePage)
def list_venues(
    request,
    site_id: int | None = None,
    use: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    items, nxt = keyset_page(
        selectors.venue_list(site=_site_or_404(site_id), use=use),
        cursor=cursor,
        limit=limit,
        ordering=("id",),
    )
    return {"items": items, "next_cursor": nxt}


@router.get("/venues/{venue_id}", response=VenueOut)
def get_venue(request, venue_id: int):
    return selectors.venue_get(venue_id=venue_id)


@router.post("/sites/{site_id}/venues", response={201: VenueOut})
def create_venue(request, site_id: int, payload: VenueIn):
    site = selectors.site_get(site_id=site_id)
    return Status(201, services.venue_create(actor=request.user, site=site, **payload.dict()))


@router.patch("/venues/{venue_id}", response=VenueOut)
def update_venue(request, venue_id: int, payload: VenuePatch):
    venue = selectors.venue_get(venue_id=venue_id)
    return services.venue_update(
        actor=request.user, venue=venue, **payload.dict(exclude_unset=True)
    )
