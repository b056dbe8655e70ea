from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "xinfeng.open311"
    label = "open311"
    verbose_name = _("Open311")

    def ready(self):
        from xinfeng.core.middleware import register_refusal_renderer

        from .render import error_response

        def refusal(request, status, code, detail):
            # GeoReport v2's own error list, in the format the path names (.json/.xml).
            fmt = request.path.rsplit(".", 1)[-1] if "." in request.path else "json"
            return error_response(fmt, [(status, detail)], status)

        # A body too large or a broken multipart under /open311/ answers like every
        # other Open311 error, not with the core's page.
        register_refusal_renderer("/open311/", refusal)
