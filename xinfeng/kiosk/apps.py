from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KioskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "xinfeng.kiosk"
    verbose_name = _("自助终端")

    def ready(self):
        from xinfeng.core.hooks import fill

        # The account page offers the kiosk QR code (and staff the kiosk pairing page).
        fill("accounts.me.actions", "kiosk/slots/me_kiosk.html")

        # A request with the kiosk credential is never served from the anonymous cache's
        # early path (the kiosk middleware confines it first).
        from xinfeng.core.publiccache import register_credential

        from .middleware import kiosk_credential

        register_credential(kiosk_credential)
