"""Writes of places. Each checks the actor's role at the region concerned."""

from django.db import transaction
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import require_role_at
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.validation import full_clean_or_raise

from .models import Region, Site, Venue

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
    "facilities",
    "guiding_departments",
    "is_complex",
    "active_from",
    "active_until",
}
VENUE_FIELDS = {"name", "uses", "capacity", "opens_at", "closes_at", "description", "is_active"}


@transaction.atomic
def site_create(*, actor, region: Region, **fields) -> Site:
    """Create a site in ``region``; the actor must be staff at the region or above."""
    require_role_at(actor, region)
    unknown = set(fields) - SITE_FIELDS
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    parent = fields.get("parent")
    if parent is not None:
        require_role_at(actor, parent.region)
    site = Site(region=region, **fields)
    full_clean_or_raise(site)
    site.save()
    return site


@transaction.atomic
def site_update(*, actor, site: Site, **fields) -> Site:
    """Update a site; moving it to another region needs a role at both regions."""
    require_role_at(actor, site.region)
    unknown = set(fields) - SITE_FIELDS
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    site = Site.objects.select_for_update().get(pk=site.pk)
    if "region" in fields and fields["region"] != site.region:
        require_role_at(actor, fields["region"])
    for key, value in fields.items():
        setattr(site, key, value)
    full_clean_or_raise(site)
    site.save()
    return site


@transaction.atomic
def venue_create(*, actor, site: Site, **fields) -> Venue:
    require_role_at(actor, site.region)
    unknown = set(fields) - VENUE_FIELDS
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    venue = Venue(site=site, **fields)
    full_clean_or_raise(venue)
    venue.save()
    return venue


@transaction.atomic
def venue_update(*, actor, venue: Venue, **fields) -> Venue:
    require_role_at(actor, venue.site.region)
    unknown = set(fields) - VENUE_FIELDS
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    for key, value in fields.items():
        setattr(venue, key, value)
    full_clean_or_raise(venue)
    venue.save()
    return venue
