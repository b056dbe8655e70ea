from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "xinfeng.activities"
    label = "activities"
    verbose_name = _("文明实践活动")
