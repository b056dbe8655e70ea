from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplansConfig(AppConfig):
    name = "xinfeng.workplans"
    label = "workplans"
    verbose_name = _("工作方案与示范点")
