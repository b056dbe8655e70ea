"""Helpers shared by the emergency API modules."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from xinfeng.core.errors import ValidationFailed
from xinfeng.regions.models import Region


def user_of(request):
    """The caller: every write (the API's default auth) and every ``auth=signed_in`` read
    has refused anonymous callers (401) before the view runs."""
    return request.user


def region_or_400(pk: int) -> Region:
    region = Region.objects.filter(pk=pk).first()
    if region is None:
        raise ValidationFailed(_("区划不存在：%(ids)s") % {"ids": pk}, code="unknown_region")
    return region


def regions_or_400(ids) -> list[Region]:
    ids = list(dict.fromkeys(ids))
    found = list(Region.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        missing = sorted(set(ids) - {r.pk for r in found})
        raise ValidationFailed(
            _("区划不存在：%(ids)s") % {"ids": ", ".join(map(str, missing))}, code="unknown_region"
        )
    return found


__all__ = ["get_object_or_404", "region_or_400", "regions_or_400", "user_of"]
