from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "xinfeng.activities"
    label = "activities"
    verbose_name = _("文明实践活动")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from xinfeng.core.hooks import fill
        from xinfeng.core.periodic import register_periodic
        from xinfeng.regions.models import Region

        from . import live
        from .pickers import regions_changed
        from .tasks import close_ended_activities, send_activity_reminders

        # Sign-ups, check-ins and views leave the cached activity pages and lists in place.
        live.route()
        register_periodic(send_activity_reminders, every_seconds=300)
        register_periodic(close_ended_activities, every_seconds=300)
        # The list's region pickers are cached; any change of the tree forgets them.
        post_save.connect(regions_changed, sender=Region, dispatch_uid="activities_regions")
        post_delete.connect(regions_changed, sender=Region, dispatch_uid="activities_regions_d")
        # A site's page links its activity calendar and news (places names the slot).
        fill("places.site_detail.after", "activities/_site_links.html", order=20)
