"""The emergency app's stored texts (notifications), rendered in the reader's language."""

from django.utils.translation import gettext_noop as N

from xinfeng.notifications.texts import define

CALLOUT = define("emergency.callout", N("应急召集：%(t)s"))
CALLOUT_BODY = define(
    "emergency.callout.body", N("%(incident)s。请点击链接答复：来、不来或稍后答复。")
)
REMINDER = define("emergency.callout.reminder", N("应急召集（提醒）：%(t)s"))
