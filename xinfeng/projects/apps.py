from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "xinfeng.projects"
    label = "projects"
    verbose_name = _("服务项目")
