from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "xinfeng.places"
    label = "places"
    verbose_name = _("阵地")

    def ready(self):
        # Register the "sites" picker kind before any form names it.
        from xinfeng.core.hooks import fill

        from . import pickers  # noqa: F401

        # The account page offers staff the site management (accounts names the slot).
        fill("accounts.me.actions", "places/slots/me_manage_sites.html")
