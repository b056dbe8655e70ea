from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "xinfeng.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        # Every app's ``texts.py`` defines its stored texts (keys → source strings); load
        # them all so any process can render any stored message.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("texts")

        from .third_party import relabel_third_party_apps

        relabel_third_party_apps()
