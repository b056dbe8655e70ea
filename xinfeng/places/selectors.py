"""Reads of places. Public reads are unscoped (sites are public); staff reads are scoped."""

from django.db.models import Count, Q, QuerySet

from xinfeng.accounts.scope import restrict
from xinfeng.core.errors import NotFound

from .models import Region, Site, Venue, subtree_q


def region_list(
    *, parent_id: int | None = None, level: str | None = None, q: str | None = None
) -> QuerySet:
    qs = Region.objects.all()
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs


def region_get(*, region_id: int) -> Region:
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound()
    return region


def site_list(
    *,
    region: Region | None = None,
    level: str | None = None,
    q: str | None = None,
    is_complex: bool | None = None,
    open_only: bool = False,
) -> QuerySet:
    """Public site directory: filter by region subtree, level, complex flag and text."""
    qs = Site.objects.select_related("region")
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if level:
        qs = qs.filter(level=level)
    if is_complex is not None:
        qs = qs.filter(is_complex=is_complex)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(host_unit__icontains=q))
    if open_only:
        qs = qs.open_at()
    return qs


def site_get(*, site_id: int) -> Site:
    site = (
        Site.objects.select_related("region", "parent")
        .annotate(venue_count=Count("venues"))
        .filter(pk=site_id)
        .first()
    )
    if site is None:
        raise NotFound()
    return site


def sites_managed_by(*, user) -> QuerySet:
    """Sites in the user's staff scope."""
    from xinfeng.accounts.choices import STAFF_ROLES

    return restrict(Site.objects.select_related("region"), user, roles=STAFF_ROLES)


def venue_list(*, site: Site | None = None, use: str | None = None) -> QuerySet:
    qs = Venue.objects.select_related("site")
    if site is not None:
        qs = qs.filter(site=site)
    if use:
        # JSON containment is not portable to SQLite; uses are short lists so a text match
        # on the quoted value is exact enough and indexable later if needed.
        qs = qs.filter(uses__icontains=f'"{use}"')
    return qs


def venue_get(*, venue_id: int) -> Venue:
    venue = Venue.objects.select_related("site", "site__region").filter(pk=venue_id).first()
    if venue is None:
        raise NotFound()
    return venue
