"""Reads of places. Public reads are unscoped (sites are public); staff reads are scoped."""

import re

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from xinfeng.accounts.choices import READ_ROLES, STAFF_ROLES, Role
from xinfeng.accounts.models import User
from xinfeng.accounts.scope import get_in_scope, restrict, scope_paths
from xinfeng.core.errors import NotFound, ValidationFailed
from xinfeng.regions.models import PATH_SEGMENT, Region, subtree_q

from .choices import SITE_LEVEL_RANK, SiteLevel
from .models import Site, Venue

REGION_CODE_RE = re.compile(r"[0-9]{12}")


def level_rank():
    """An expression ordering sites center → institute → station → point (the stored
    level strings would sort "point" before "station")."""
    return Case(
        *[When(level=level, then=Value(rank)) for level, rank in SITE_LEVEL_RANK.items()],
        output_field=IntegerField(),
    )


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


def region_get_by_code(*, code: str) -> Region:
    """The region with this 12-digit statistical code; a malformed code is a 400."""
    code = (code or "").strip()
    if not REGION_CODE_RE.fullmatch(code):
        raise ValidationFailed(
            _("区划代码应为 12 位数字，例如 360482000000。"), code="invalid_region_code"
        )
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(_("没有代码为 %(code)s 的区划。") % {"code": code})
    return region


def regions_managed_by(*, user) -> QuerySet:
    """Regions in the user's staff scope (where they may create sites)."""
    return restrict(Region.objects.all(), user, path_field="path", roles=STAFF_ROLES)


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


def sites_managed_by(*, user, roles=STAFF_ROLES) -> QuerySet:
    """Sites in the user's staff scope (``READ_ROLES`` adds leaders' read-only view)."""
    return restrict(Site.objects.select_related("region"), user, roles=roles)


def site_get_managed(*, user, site_id: int, roles=READ_ROLES) -> Site:
    """A site with its staff-only details (responsible person, operators) within the user's
    scope; outside it the answer is 404, the same as a missing site."""
    from xinfeng.accounts.models import User

    qs = (
        Site.objects.select_related("region", "parent", "responsible_user")
        .prefetch_related(Prefetch("operators", queryset=User.objects.order_by("id")))
        .annotate(venue_count=Count("venues"))
    )
    return get_in_scope(qs, user, roles=roles, pk=site_id)


def parent_candidates(*, user) -> QuerySet:
    """Sites the user may choose as a parent: those in their staff scope and those in the
    regions above it (a township admin attaches a station to the city center's tree)."""
    qs = Site.objects.exclude(level=SiteLevel.POINT).select_related("region")
    paths = scope_paths(user, STAFF_ROLES)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    ancestors = {p[:i] for p in paths for i in range(PATH_SEGMENT, len(p), PATH_SEGMENT)}
    return qs.filter(subtree_q(paths, "region__path") | Q(region__path__in=ancestors))


def venue_list(*, site: Site | None = None, use: str | None = None) -> QuerySet:
    qs = Venue.objects.select_related("site")
    if site is not None:
        qs = qs.filter(site=site)
    if use:
        # JSON containment is not portable to SQLite; uses are short lists so a text match
        # on the quoted value is exact enough and indexable later if needed.
        qs = qs.filter(uses__icontains=f'"{use}"')
    return qs


def venue_get_managed(*, user, venue_id: int, roles=STAFF_ROLES) -> Venue:
    """A venue of a site in the user's scope for ``roles``, or 404."""
    return get_in_scope(
        Venue.objects.select_related("site", "site__region"),
        user,
        path_field="site__region__path",
        roles=roles,
        pk=venue_id,
    )


def venue_get(*, venue_id: int) -> Venue:
    venue = Venue.objects.select_related("site", "site__region").filter(pk=venue_id).first()
    if venue is None:
        raise NotFound()
    return venue


# Staff roles of the people who answer for a site at its own level (not the system admins,
# who hold every region and would be flooded).
ANSWERING_ROLES = tuple(r for r in STAFF_ROLES if r != Role.SYSTEM_ADMIN)


def site_staff_users(site: Site | None) -> list:
    """Who answers for a site: its operators, its responsible person, and staff roles held
    at exactly its region (the people one would call at that level). One query. Orders'
    notices and escalations and activities' review requests all go to them."""
    if site is None:
        return []
    q = Q(sites_operated=site) | Q(
        role_assignments__region_id=site.region_id, role_assignments__role__in=ANSWERING_ROLES
    )
    if site.responsible_user_id:
        q |= Q(pk=site.responsible_user_id)
    return list(User.objects.filter(q, is_active=True).distinct())
