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
        self._connect_routing()
        # A project's page offers 我要点单 (projects names the slot; orders fills it).
        fill("projects.detail.actions", "orders/slots/project_order_button.html")

    @staticmethod
    def _connect_routing():
        """Forget cached routing (region → responsible site → staff) when what it was read
        from changes (services/routing.py)."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from xinfeng.accounts.models import RoleAssignment, User
        from xinfeng.places.models import Site
        from xinfeng.regions.models import Region

        from .services import routing

        for model in (Region, Site, RoleAssignment):
            name = model._meta.label_lower
            post_save.connect(routing.changed, sender=model, dispatch_uid=f"orders:routing:{name}")
            post_delete.connect(
                routing.changed, sender=model, dispatch_uid=f"orders:routing-d:{name}"
            )
        m2m_changed.connect(
            routing.changed, sender=Site.operators.through, dispatch_uid="orders:routing:operators"
        )
        post_save.connect(routing.user_changed, sender=User, dispatch_uid="orders:routing:user")
