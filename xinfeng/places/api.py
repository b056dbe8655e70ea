"""Places API: regions, sites and venues. Lists use keyset pagination (``cursor``).

Regions, sites and venues are public reads. ``/manage/...`` endpoints show staff-only
details (responsible person, operators) within the caller's scope; writes need a role at
the region concerned (checked in ``services``).
"""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.accounts.choices import READ_ROLES
from xinfeng.accounts.models import User
from xinfeng.accounts.selectors import user_by_identifier
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.publiccache import public_read
from xinfeng.core.schema import DbId, Limit, SearchText
from xinfeng.core.serialise import Derived, ListRows
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from . import selectors, services
from .choices import SiteLevel, VenueUse
from .models import Site, Venue
from .schemas import (
    OperatorIn,
    RegionOut,
    RegionPage,
    SiteIn,
    SiteOut,
    SitePage,
    SitePatch,
    SiteStaffOut,
    SiteStaffPage,
    VenueIn,
    VenueOut,
    VenuePage,
    VenuePatch,
)

router = Router(tags=["places"])


def _is_open(row: dict) -> bool:
    """``Site.is_open`` of a ``values()`` row."""
    now = timezone.now()
    start, end = row["active_from"], row["active_until"]
    return (start is None or start <= now) and (end is None or end > now)


# The public lists' rows, read with values() (``core.serialise``).
REGION_ROWS = ListRows(RegionOut, Region)
SITE_ROWS = ListRows(
    SiteOut, Site, derived={"is_open": Derived(_is_open, "active_from", "active_until")}
)
VENUE_ROWS = ListRows(VenueOut, Venue)

# Writes look the object up in the caller's *read* scope: outside it the answer is 404
# (like a missing object); inside it, a caller who may only read (a leader) gets the
# service's 403.


def _region_filter(region_id: int | None) -> Region | None:
    """A region named in a filter; unknown ids are a 404 (regions are public)."""
    return selectors.region_get(region_id=region_id) if region_id is not None else None


def _site_filter(site_id: int | None) -> Site | None:
    return selectors.site_get(site_id=site_id) if site_id is not None else None


def _region_from_body(region_id: int | None, region_code: str | None) -> Region:
    """The region a request body names by id or by 12-digit code; bad input is a 400."""
    if (region_id is None) == (region_code is None):
        raise ValidationFailed(
            _("请提供 region_id 或 region_code 其中之一。"), code="region_required"
        )
    if region_code is not None:
        code = region_code.strip()
        if not selectors.REGION_CODE_RE.fullmatch(code):
            raise ValidationFailed(
                _("区划代码应为 12 位数字，例如 360482000000。"), code="invalid_region_code"
            )
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationFailed(
                _("没有代码为 %(code)s 的区划。") % {"code": code}, code="unknown_region"
            )
        return region
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise ValidationFailed(_("所在区划不存在。"), code="unknown_region")
    return region


def _parent_from_body(parent_id: int | None) -> Site | None:
    if parent_id is None:
        return None
    parent = Site.objects.select_related("region").filter(pk=parent_id).first()
    if parent is None:
        raise ValidationFailed(_("上级阵地不存在。"), code="unknown_parent")
    return parent


# Regions ---------------------------------------------------------------------------------


@router.get("/regions", response=RegionPage, summary="List regions (filter by parent, level, text)")
def list_regions(
    request,
    parent_id: DbId | None = None,
    level: RegionLevel | None = None,
    q: SearchText | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
):
    return REGION_ROWS.page(
        selectors.region_list(parent_id=parent_id, level=level, q=q),
        cursor=cursor,
        limit=limit,
        ordering=("path", "id"),
    )


@router.get(
    "/regions/by-code/{code}", response=RegionOut, summary="Look a region up by its 12-digit code"
)
def get_region_by_code(request, code: str):
    return selectors.region_get_by_code(code=code)


@router.get("/regions/{region_id}", response=RegionOut)
def get_region(request, region_id: DbId):
    return selectors.region_get(region_id=region_id)


# Sites (public) --------------------------------------------------------------------------


@router.get("/sites", response=SitePage, summary="Public site directory")
@public_read("places", "regions", any_caller=True)
def list_sites(
    request,
    region_id: DbId | None = None,
    level: SiteLevel | None = None,
    q: SearchText | None = None,
    is_complex: bool | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = selectors.site_list(
        region=_region_filter(region_id), level=level, q=q, is_complex=is_complex
    )
    return SITE_ROWS.page(qs, cursor=cursor, limit=limit, ordering=("id",))


@router.get("/sites/{site_id}", response=SiteOut)
def get_site(request, site_id: DbId):
    return selectors.site_get(site_id=site_id)


@router.post(
    "/sites", response={201: SiteOut}, summary="Create a site (staff of the region)", auth=signed_in
)
def create_site(request, payload: SiteIn):
    data = payload.dict()
    region = _region_from_body(data.pop("region_id"), data.pop("region_code"))
    data["parent"] = _parent_from_body(data.pop("parent_id"))
    site = services.site_create(actor=request.user, region=region, **data)
    return Status(201, selectors.site_get(site_id=site.pk))


@router.patch(
    "/sites/{site_id}",
    response=SiteOut,
    summary="Update a site (staff of the region)",
    auth=signed_in,
)
def update_site(request, site_id: DbId, payload: SitePatch):
    site = selectors.site_get_managed(user=request.user, site_id=site_id)
    data = payload.dict(exclude_unset=True)
    if "parent_id" in data:
        data["parent"] = _parent_from_body(data.pop("parent_id"))
    if "responsible_user_id" in data:
        user_id = data.pop("responsible_user_id")
        data["responsible_user"] = _user_by_id(user_id) if user_id is not None else None
    services.site_update(actor=request.user, site=site, **data)
    return selectors.site_get(site_id=site_id)


def _user_by_id(user_id: int) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationFailed(_("负责人账号不存在。"), code="unknown_user")
    return user


# Sites (staff view) ----------------------------------------------------------------------


@router.get(
    "/manage/sites",
    response=SiteStaffPage,
    summary="Sites in my scope, with responsible person and operators",
    auth=signed_in,
)
def list_managed_sites(
    request,
    level: SiteLevel | None = None,
    q: SearchText | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = selectors.sites_managed_by(user=request.user, roles=READ_ROLES).select_related(
        "responsible_user"
    )
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(name__icontains=q)
    qs = qs.prefetch_related("operators").annotate(venue_count=Count("venues"))
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": items, "next_cursor": nxt}


@router.get("/manage/sites/{site_id}", response=SiteStaffOut, auth=signed_in)
def get_managed_site(request, site_id: DbId):
    return selectors.site_get_managed(user=request.user, site_id=site_id)


@router.post("/manage/sites/{site_id}/operators", response=SiteStaffOut, auth=signed_in)
def add_operator(request, site_id: DbId, payload: OperatorIn):
    site = selectors.site_get_managed(user=request.user, site_id=site_id)
    user = user_by_identifier(identifier=payload.identifier)
    services.site_operator_add(actor=request.user, site=site, user=user)
    return selectors.site_get_managed(user=request.user, site_id=site_id)


@router.delete("/manage/sites/{site_id}/operators/{user_id}", response={204: None}, auth=signed_in)
def remove_operator(request, site_id: DbId, user_id: DbId):
    site = selectors.site_get_managed(user=request.user, site_id=site_id)
    user = site.operators.filter(pk=user_id).first()
    if user is None:
        raise ValidationFailed(_("该用户不是本阵地的管理员。"), code="not_operator")
    services.site_operator_remove(actor=request.user, site=site, user=user)
    return Status(204, None)


# Venues ----------------------------------------------------------------------------------


@router.get("/venues", response=VenuePage)
def list_venues(
    request,
    site_id: DbId | None = None,
    use: VenueUse | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    return VENUE_ROWS.page(
        selectors.venue_list(site=_site_filter(site_id), use=use),
        cursor=cursor,
        limit=limit,
        ordering=("id",),
    )


@router.get("/venues/{venue_id}", response=VenueOut)
def get_venue(request, venue_id: DbId):
    return selectors.venue_get(venue_id=venue_id)


@router.post("/sites/{site_id}/venues", response={201: VenueOut}, auth=signed_in)
def create_venue(request, site_id: DbId, payload: VenueIn):
    site = selectors.site_get_managed(user=request.user, site_id=site_id)
    return Status(201, services.venue_create(actor=request.user, site=site, **payload.dict()))


@router.patch("/venues/{venue_id}", response=VenueOut, auth=signed_in)
def update_venue(request, venue_id: DbId, payload: VenuePatch):
    venue = selectors.venue_get_managed(user=request.user, venue_id=venue_id, roles=READ_ROLES)
    return services.venue_update(
        actor=request.user, venue=venue, **payload.dict(exclude_unset=True)
    )
