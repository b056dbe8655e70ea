from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xinfeng.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from django.urls import register_converter

        from .converters import IdConverter

        # ``<id:pk>`` in any app's urls.py: ids that fit a 64-bit column, else a 404.
        register_converter(IdConverter, "id")
