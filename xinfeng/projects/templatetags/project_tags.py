from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def human_duration(value) -> str:
    """A step deadline as people say it: "3 天", "12 小时", "30 分钟"."""
    if not isinstance(value, timedelta):
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return _("%(n)d 天") % {"n": minutes // (24 * 60)}
    if minutes % 60 == 0:
        return _("%(n)d 小时") % {"n": minutes // 60}
    return _("%(n)d 分钟") % {"n": minutes}


@register.simple_tag
def project_counts() -> dict:
    """``{% project_counts as pc %}``: ``pc.total`` projects not retired, ``pc.orderable``
    of them running (the menu)."""
    from xinfeng.projects.selectors import project_counts as counts

    return counts()
