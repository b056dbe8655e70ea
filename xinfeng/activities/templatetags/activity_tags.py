"""Template helpers of the activity pages."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def distance(metres) -> str:
    """350 → "350 米"; 2400 → "2.4 公里"."""
    if metres is None:
        return ""
    if metres < 1000:
        return _("%(m)d 米") % {"m": round(metres)}
    return _("%(km).1f 公里") % {"km": metres / 1000}
