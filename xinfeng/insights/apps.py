from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "xinfeng.insights"
    label = "insights"
    verbose_name = _("数据与考核")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from xinfeng.activities.models import Activity
        from xinfeng.core.hooks import fill
        from xinfeng.core.periodic import register_periodic
        from xinfeng.orders.models import FollowUp, Order
        from xinfeng.places.models import PopulationPoint, Site
        from xinfeng.projects.models import Project
        from xinfeng.volunteers.models import ServiceRecord, Team, Volunteer

        from . import conf
        from .map_data import forget_sites
        from .map_data import tiles as map_data_tiles
        from .tasks import refresh_rollups, request_rollup

        register_periodic(refresh_rollups, every_seconds=conf.ROLLUP_EVERY_SECONDS)
        # Any change to what the dashboards count queues one debounced recompute.
        for model in (
            Site,
            PopulationPoint,
            Team,
            Volunteer,
            ServiceRecord,
            Project,
            Activity,
            Order,
            FollowUp,
        ):
            post_save.connect(request_rollup, sender=model, dispatch_uid=f"insights:{model}")
            post_delete.connect(request_rollup, sender=model, dispatch_uid=f"insights-d:{model}")
        # The map's cached marker layer follows site edits at once (in this process).
        post_save.connect(forget_sites, sender=Site, dispatch_uid="insights:map-sites")
        post_delete.connect(forget_sites, sender=Site, dispatch_uid="insights-d:map-sites")
        # A site's page shows its mini map and a link to the site map (places names the slots).
        fill("places.site_detail.map", "insights/slots/site_minimap.html")
        fill("places.site_detail.map_links", "insights/slots/site_map_link.html")
        # The order form's place: a pin on the configured tiles (nothing offline).
        fill(
            "orders.order_form.location",
            "insights/slots/order_pin_map.html",
            when=lambda context: bool(map_data_tiles()["url"]),
        )
