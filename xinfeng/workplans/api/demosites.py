"""Demonstration sites: public reads (list, map layer, the "2 per township" rule);
designations and reviews by staff of the level above the township."""

from django.utils.translation import gettext as _
from ninja import Status

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound, ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.schema import DbId, Limit, SearchText
from xinfeng.places.models import Site
from xinfeng.regions.models import Region

from .. import presenters as P
from .. import selectors, services
from ..choices import DEMO_SITES_PER_TOWNSHIP
from . import router
from .schemas import (
    DesignationIn,
    DesignationOut,
    DesignationPage,
    ReviewIn,
    ReviewOut,
    TownshipRule,
)


def _year(year: int | None) -> int:
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationFailed(_("年度无效。"), code="bad_year")
    return year or selectors.current_year()


@router.get("/demo-sites", response=DesignationPage, summary="Demonstration sites (public)")
def list_designations(
    request,
    year: int | None = None,
    township_id: DbId | None = None,
    q: SearchText | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    township = None
    if township_id is not None:
        township = Region.objects.filter(pk=township_id).first()
        if township is None:
            raise NotFound()
    qs = selectors.designations(year=_year(year) if year else None, township=township, q=q)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": [P.present_designation(d) for d in items], "next_cursor": nxt}


@router.get(
    "/demo-sites/map",
    url_name="workplans_demo_sites_map",
    summary="Demonstration sites holding in a year as GeoJSON points (the map's layer)",
)
def map_layer(request, year: int | None = None):
    features = []
    for d in selectors.designations(year=_year(year)).order_by("id"):
        f = P.designation_feature(d)
        if f is not None:
            features.append(f)
    return {"type": "FeatureCollection", "features": features}


@router.get(
    "/demo-sites/townships",
    response=TownshipRule,
    summary='The rule "2 per township": demonstration sites per township in a year',
)
def township_rule(request, year: int | None = None):
    y = _year(year)
    rows = selectors.township_rule(year=y)
    return {
        "year": y,
        "per_township": DEMO_SITES_PER_TOWNSHIP,
        "lacking": sum(1 for r in rows if r.missing),
        "townships": [
            {
                "township_id": r.township.pk,
                "township": r.township.display_name,
                "count": r.count,
                "missing": r.missing,
                "sites": [d.site.name for d in r.sites],
            }
            for r in rows
        ],
    }


@router.get("/demo-sites/{designation_id}", response=DesignationOut, summary="A designation")
def get_designation(request, designation_id: DbId):
    return P.present_designation(selectors.designation_get(designation_id=designation_id))


@router.post(
    "/demo-sites",
    auth=signed_in,
    response={201: DesignationOut},
    summary="Designate a demonstration site (the level above the township)",
)
def designate(request, payload: DesignationIn):
    user = request.auth
    site = Site.objects.select_related("region").filter(pk=payload.site_id).first()
    if site is None:
        raise ValidationFailed(
            _("阵地不存在。"), code="unknown_site", fields={"site_id": [_("阵地不存在。")]}
        )
    township = None
    if payload.township_id is not None:
        township = Region.objects.filter(pk=payload.township_id).first()
        if township is None:
            raise ValidationFailed(
                _("乡镇不存在。"),
                code="unknown_township",
                fields={"township_id": [_("乡镇不存在。")]},
            )
    d = services.designation_create(
        actor=user,
        site=site,
        year=payload.year,
        criteria=payload.criteria,
        township=township,
        designated_by=payload.designated_by,
    )
    return Status(201, P.present_designation(d))


@router.post(
    "/demo-sites/{designation_id}/reviews",
    auth=signed_in,
    response={201: ReviewOut},
    summary="The yearly review of a designation (kept or withdrawn, with reasons)",
)
def review(request, designation_id: DbId, payload: ReviewIn):
    user = request.auth
    d = selectors.designation_get(designation_id=designation_id)
    r = services.review_record(
        actor=user,
        designation=d,
        year=payload.year,
        outcome=payload.outcome,
        reasons=payload.reasons,
    )
    return Status(
        201,
        {
            "id": r.pk,
            "designation_id": d.pk,
            "year": r.year,
            "outcome": r.outcome,
            "reasons": r.reasons,
        },
    )
