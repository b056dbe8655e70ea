from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

ESCALATION_CHECK_SECONDS = 60


class EmergencyConfig(AppConfig):
    name = "xinfeng.emergency"
    label = "emergency"
    verbose_name = _("应急")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from xinfeng.core.hooks import fill
        from xinfeng.core.periodic import register_periodic

        from .models import Incident
        from .selectors import forget_open_incidents
        from .tasks import escalate_callouts

        post_save.connect(forget_open_incidents, sender=Incident, dispatch_uid="emerg-open")
        post_delete.connect(forget_open_incidents, sender=Incident, dispatch_uid="emerg-open-d")

        register_periodic(escalate_callouts, every_seconds=ESCALATION_CHECK_SECONDS)
        # The project shell (base.html, which the dashboard extends too) names this slot: an
        # open incident shows to staff of the affected area on every page.
        fill("base.banner", "emergency/slots/banner.html", order=10)
