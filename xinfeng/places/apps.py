from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "xinfeng.places"
    label = "places"
    verbose_name = _("阵地")

    def ready(self):
        # Register the "sites" picker kind before any form names it.
        from . import pickers  # noqa: F401
