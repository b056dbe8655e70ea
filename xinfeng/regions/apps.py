from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "xinfeng.regions"
    verbose_name = _("行政区划")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Region
        from .subtrees import regions_changed

        # Cached subtree ids (scope filters) follow every change of the tree.
        post_save.connect(regions_changed, sender=Region, dispatch_uid="regions-subtrees")
        post_delete.connect(regions_changed, sender=Region, dispatch_uid="regions-subtrees-d")
