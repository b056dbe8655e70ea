from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

DEADLINE_CHECK_SECONDS = 60


class OrdersConfig(AppConfig):
    name = "xinfeng.orders"
    label = "orders"
    verbose_name = _("四单制")

    def ready(self):
        from xinfeng.core.hooks import fill
        from xinfeng.core.periodic import register_periodic

        from .tasks import enforce_order_deadlines

        register_periodic(enforce_order_deadlines, every_seconds=DEADLINE_CHECK_SECONDS)
        # A project's page offers 我要点单 (projects names the slot; orders fills it).
        fill("projects.detail.actions", "orders/slots/project_order_button.html")
