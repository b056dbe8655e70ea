from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

ESCALATION_CHECK_SECONDS = 60


class EmergencyConfig(AppConfig):
    name = "xinfeng.emergency"
    label = "emergency"
    verbose_name = _("应急")

    def ready(self):
        from xinfeng.core.hooks import fill
        from xinfeng.core.periodic import register_periodic

        from .tasks import escalate_callouts

        register_periodic(escalate_callouts, every_seconds=ESCALATION_CHECK_SECONDS)
        # The project shell (base.html) and the dashboard name these slots; an open
        # incident shows to staff of the affected area.
        fill("base.banner", "emergency/slots/banner.html", order=10)
        fill("insights.dashboard.top", "emergency/slots/banner.html", order=10)
