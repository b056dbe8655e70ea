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
        _connect_token_cache()


def _connect_token_cache() -> None:
    """Changes that end a cached bearer token's answer (accounts.middleware)."""
    from django.db.models.signals import post_delete, post_save

    from xinfeng.regions.models import Region

    from . import middleware as m
    from .models import ApiToken, RoleAssignment, User

    for model, receiver in (
        (ApiToken, m.token_changed),
        (User, m.user_changed),
        (RoleAssignment, m.roles_changed),
        (Region, m.roles_changed),
    ):
        uid = f"accounts-token-cache:{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + ":d")
