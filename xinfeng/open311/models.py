"""Open311 tokens: what a client holds after POSTing a request, until it has the request id."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_hex(16)


class Open311Token(models.Model):
    """A GeoReport v2 token (``tokens/{token}``): returned by ``POST requests`` and
    resolved to the service request (the order) it stands for. The order is linked as soon
    as it exists; a token whose order is not (yet) there answers with no request id."""

    token = models.CharField(_("令牌"), max_length=40, unique=True, default=new_token)
    order = models.OneToOneField(
        "orders.Order",
        verbose_name=_("服务订单"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="open311_token",
    )
    api_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接入账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 令牌")
        verbose_name_plural = _("Open311 令牌")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.token
