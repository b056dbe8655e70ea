from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "xinfeng.regions"
    verbose_name = _("行政区划")
