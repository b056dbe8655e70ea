from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplansConfig(AppConfig):
    name = "xinfeng.workplans"
    label = "workplans"
    verbose_name = _("工作方案与示范点")

    def ready(self):
        from xinfeng.core.hooks import fill
        from xinfeng.core.periodic import register_periodic

        from .tasks import DEADLINE_CHECK_SECONDS, enforce_workplan_deadlines

        register_periodic(enforce_workplan_deadlines, every_seconds=DEADLINE_CHECK_SECONDS)
        from django.db.models.signals import post_delete, post_save

        from .models import Designation, DesignationReview
        from .selectors import forget_holding

        for model in (Designation, DesignationReview):
            post_save.connect(
                forget_holding, sender=model, dispatch_uid=f"wp-forget-{model.__name__}"
            )
            post_delete.connect(
                forget_holding, sender=model, dispatch_uid=f"wp-forget-del-{model.__name__}"
            )
        # Demonstration sites on lower apps' pages (slots; see docs/architecture.md).
        fill("places.site_detail.after", "workplans/slots/site_badge.html", order=5)
        fill("places.directory.site_badges", "workplans/slots/directory_badge.html", order=10)
        fill("insights.map.layers", "workplans/slots/map_layer.html", order=10)
        fill("insights.map.after", "workplans/slots/map_missing.html", order=10)
        fill("accounts.me.actions", "workplans/slots/me_links.html", order=55)
