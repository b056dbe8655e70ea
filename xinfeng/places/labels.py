"""How pages name a region's own share of a figure: what belongs to the region itself and
to none of its children (a city's own sites, teams and activities are 市直). Breakdowns
by child region show it as one more row so that the rows add up to the total."""

from django.utils.translation import gettext as _


def own_label(region) -> str:
    """市直 for a city, 县直/区直 for a county or district, 镇直/乡直 for a township, else
    "<name>直属"."""
    name = region.name or ""
    for suffix, text in (
        ("省", _("省直")),
        ("市", _("市直")),
        ("区", _("区直")),
        ("县", _("县直")),
        ("镇", _("镇直")),
        ("乡", _("乡直")),
        ("街道", _("街道直属")),
    ):
        if name.endswith(suffix):
            return text
    return _("%(name)s直属") % {"name": region.display_name}
