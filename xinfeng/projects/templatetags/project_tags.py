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
