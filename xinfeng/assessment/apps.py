from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "xinfeng.assessment"
    label = "assessment"
    verbose_name = _("考核与经费")

    def ready(self):
        from xinfeng.core.periodic import register_periodic

        from .tasks import every_seconds, recompute_results

        register_periodic(recompute_results, every_seconds=every_seconds())
