from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "xinfeng.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self):
        from xinfeng.core.periodic import register_periodic

        from .tasks import purge_phone_codes

        register_periodic(purge_phone_codes, every_seconds=3600)
