"""Outside channels for notifications: email through Django's mail, SMS and WeChat behind
one small interface.

A backend is a class with ``send(*, user, title, body, link) -> str`` that returns a short
detail for the delivery record or raises ``ChannelUnavailable``. Until an SMS gateway or a
WeChat account is configured, the logging backend writes what would have been sent to the
``xinfeng.notifications`` log (and the delivery is recorded as ``logged``). Configure a real
backend with ``XINFENG_SMS_BACKEND`` / ``XINFENG_WECHAT_BACKEND`` (dotted class paths).
"""

import logging
import os

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from xinfeng.core.masking import mask_phone

log = logging.getLogger("xinfeng.notifications")

EMAIL = "email"
SMS = "sms"
WECHAT = "wechat"
CHANNELS = (EMAIL, SMS, WECHAT)


class ChannelUnavailable(Exception):
    """The recipient cannot be reached on this channel (no address, no binding)."""


class EmailBackend:
    status = "sent"

    def send(self, *, user, title: str, body: str, link: str) -> str:
        if not user.email:
            raise ChannelUnavailable("no email address")
        text = body + (f"\n\n{link}" if link else "")
        send_mail(title, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        return user.email


class LoggingSmsBackend:
    """Writes the SMS to the log instead of a gateway (no credentials yet)."""

    status = "logged"

    def send(self, *, user, title: str, body: str, link: str) -> str:
        phone = getattr(user, "phone", "") or ""
        if not phone:
            raise ChannelUnavailable("no phone number")
        log.info("SMS to %s: %s", mask_phone(phone), title)
        return mask_phone(phone)


class LoggingWeChatBackend:
    """Writes the WeChat template message to the log (no official account yet)."""

    status = "logged"

    def send(self, *, user, title: str, body: str, link: str) -> str:
        log.info("WeChat to user %s: %s", user.pk, title)
        return f"user {user.pk}"


_DEFAULTS = {
    EMAIL: "xinfeng.notifications.channels.EmailBackend",
    SMS: "xinfeng.notifications.channels.LoggingSmsBackend",
    WECHAT: "xinfeng.notifications.channels.LoggingWeChatBackend",
}


def backend_for(channel: str):
    setting = f"XINFENG_{channel.upper()}_BACKEND"
    path = getattr(settings, setting, None) or os.environ.get(setting) or _DEFAULTS[channel]
    return import_string(path)()
