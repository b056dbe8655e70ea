"""Writes of places. Each checks the actor's role at the region concerned.

Pages, the API and the admin call these functions, so a rule lives in one place.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment, User
from xinfeng.accounts.scope import require_role_at
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.validation import PLAN, check_window, full_clean_or_raise
from xinfeng.regions.models import Region

from .models import Site, Venue

SITE_FIELDS = {
    "name",
    "level",
    "point_kind",
    "region",
    "parent",
    "host_unit",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "description",
    "responsible_name",
    "responsible_title",
    "responsible_user",
    "facilities",
    "guiding_departments",
    "is_complex",
    "active_from",
    "active_until",
}
VENUE_FIELDS = {"name", "uses", "capacity", "opens_at", "closes_at", "description", "is_active"}


def _check_fields(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})


@transaction.atomic
def site_create(*, actor, region: Region, **fields) -> Site:
    """Create a site in ``region``; the actor must be staff at the region or above.

    The parent site (if any) must lie in the same region or one above it (checked by
    ``Site.clean``); it need not be in the actor's scope, since attaching a station to its
    township's institute changes nothing about the institute.
    """
    require_role_at(actor, region)
    _check_fields(fields, SITE_FIELDS - {"region"})
    site = Site(region=region, **fields)
    check_window(PLAN, active_from=site.active_from, active_until=site.active_until)
    full_clean_or_raise(site)
    site.save()
    return site


@transaction.atomic
def site_update(*, actor, site: Site, **fields) -> Site:
    """Update a site; moving it to another region needs a role at both regions.

    Locks the site row for the duration of the change.
    """
    _check_fields(fields, SITE_FIELDS)
    # Check the role against the stored row, not the caller's (possibly edited) instance.
    site = Site.objects.select_for_update(of=("self",)).select_related("region").get(pk=site.pk)
    require_role_at(actor, site.region)
    if "region" in fields and fields["region"] != site.region:
        require_role_at(actor, fields["region"])
    for key, value in fields.items():
        setattr(site, key, value)
    check_window(PLAN, active_from=site.active_from, active_until=site.active_until)
    full_clean_or_raise(site)
    site.save()
    return site


@transaction.atomic
def site_operator_add(*, actor, site: Site, user: User) -> Site:
    """Make ``user`` an operator of ``site``.

    An operator runs the site day to day, so they also get the station-operator role at
    the site's region (if they do not hold it already): the role is what the scoping
    mechanism reads. Locks the site row.
    """
    site = Site.objects.select_for_update(of=("self",)).select_related("region").get(pk=site.pk)
    require_role_at(actor, site.region)
    if not user.is_active:
        raise ValidationFailed(_("该账号已停用，不能设为管理员。"), code="inactive_user")
    site.operators.add(user)
    RoleAssignment.objects.get_or_create(user=user, role=Role.STATION_OPERATOR, region=site.region)
    user.__dict__.pop("_xf_roles", None)
    return site


@transaction.atomic
def site_operator_remove(*, actor, site: Site, user: User) -> Site:
    """Remove ``user`` as operator; their station-operator role at the site's region goes too,
    unless they still operate another site in that region. Locks the site row."""
    site = Site.objects.select_for_update(of=("self",)).select_related("region").get(pk=site.pk)
    require_role_at(actor, site.region)
    site.operators.remove(user)
    still_operates = user.sites_operated.filter(region=site.region).exists()
    if not still_operates:
        RoleAssignment.objects.filter(
            user=user, role=Role.STATION_OPERATOR, region=site.region
        ).delete()
    user.__dict__.pop("_xf_roles", None)
    return site


@transaction.atomic
def venue_create(*, actor, site: Site, **fields) -> Venue:
    """Add a room or space to ``site``; the actor must be staff at the site's region."""
    require_role_at(actor, site.region)
    _check_fields(fields, VENUE_FIELDS)
    venue = Venue(site=site, **fields)
    full_clean_or_raise(venue)
    venue.save()
    return venue


@transaction.atomic
def venue_update(*, actor, venue: Venue, **fields) -> Venue:
    """Change a venue; locks its row."""
    _check_fields(fields, VENUE_FIELDS)
    venue = (
        Venue.objects.select_for_update(of=("self",))
        .select_related("site__region")
        .get(pk=venue.pk)
    )
    require_role_at(actor, venue.site.region)
    for key, value in fields.items():
        setattr(venue, key, value)
    full_clean_or_raise(venue)
    venue.save()
    return venue
