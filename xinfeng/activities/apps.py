from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "xinfeng.activities"
    label = "activities"
    verbose_name = _("文明实践活动")

    def ready(self):
        from xinfeng.core.periodic import register_periodic

        from .tasks import close_ended_activities, send_activity_reminders

        register_periodic(send_activity_reminders, every_seconds=300)
        register_periodic(close_ended_activities, every_seconds=300)
