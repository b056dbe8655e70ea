from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xinfeng.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.urls import register_converter

        from . import publiccache
        from .converters import IdConverter
        from .dbtime import on_connection_created

        # Extreme stored dates are clamped on read, so one bad row cannot break a list.
        connection_created.connect(on_connection_created, dispatch_uid="xinfeng.core.dbtime")
        # Writes to the public read cache's topics bump their versions (core.publiccache).
        connection_created.connect(
            publiccache.on_connection_created, dispatch_uid="xinfeng.core.publiccache"
        )

        # ``<id:pk>`` in any app's urls.py: ids that fit a 64-bit column, else a 404.
        register_converter(IdConverter, "id")
        # CSRF masks from one getrandom() call each instead of one per character (randomness).
        from .randomness import install

        install()
