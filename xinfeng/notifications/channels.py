"""Outside channels for notifications: email through Django's mail, SMS and WeChat behind
one small interface.

A backend is a class with ``send(*, user, title, body, link) -> str`` that returns a short
detail for the delivery record or raises ``ChannelUnavailable``. Until an SMS gateway or a
WeChat account is configured, the logging backend writes what would have been sent to the
``xinfeng.notifications`` log (and the delivery is recorded as ``logged``). Configure a real
backend with ``XINFENG_SMS_BACKEND`` / ``XINFENG_WECHAT_BACKEND`` (dotted class paths);
``HttpSmsGateway`` is the SMS gateway adapter. SMS backends also offer
``send_sms(*, phone, template, params, text)`` for numbers without an account (sign-up
codes, ``accounts.sms``).
"""

import json
import logging
import os
import urllib.request

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
    """The development SMS backend (the default until a gateway is configured): writes the
    message to the ``xinfeng.notifications`` log (number masked) and to the
    ``accounts.DevSms`` table, where system administrators read it in the admin and the
    browser tests read sign-up codes. Never configure it in production: the table holds
    the codes in clear for their 5 minutes."""

    status = "logged"
    inline = True  # a log line and a row: sent during the request (accounts.sms)
    local = True  # nothing leaves this database: deliveries commit in chunks (tasks.py)

    def send(self, *, user, title: str, body: str, link: str) -> str:
        phone = getattr(user, "phone", "") or ""
        if not phone:
            raise ChannelUnavailable("no phone number")
        return self.send_sms(phone=phone, template="notice", params={"title": title}, text=title)

    def send_sms(self, *, phone: str, template: str, params: dict, text: str) -> str:
        from xinfeng.accounts.models import DevSms

        log.info("SMS to %s [%s]: %s", mask_phone(phone), template, text)
        DevSms.objects.create(phone=phone, text=text[:500])
        return mask_phone(phone)

    def send_many(self, messages: list[dict]) -> list:
        """``send`` for many messages (``user``, ``title``, ``body``, ``link``) with one
        INSERT: per message the detail, or the ``ChannelUnavailable`` it raises alone."""
        from xinfeng.accounts.models import DevSms

        out: list = []
        rows = []
        for m in messages:
            phone = getattr(m["user"], "phone", "") or ""
            if not phone:
                out.append(ChannelUnavailable("no phone number"))
                continue
            log.info("SMS to %s [%s]: %s", mask_phone(phone), "notice", m["title"])
            rows.append(DevSms(phone=phone, text=m["title"][:500]))
            out.append(mask_phone(phone))
        DevSms.objects.bulk_create(rows)
        return out


class HttpSmsGateway:
    """An SMS gateway over HTTP in the shape the common Chinese SMS APIs share (Aliyun
    dysms ``SendSms``-style JSON; Tencent Cloud and others are the same four values):
    POST ``XINFENG_SMS_GATEWAY_URL`` with the number, the signature
    (``XINFENG_SMS_SIGN_NAME``, e.g. 新风), the provider's template id for the message
    (``XINFENG_SMS_TEMPLATE_CODE`` for verification codes, ``XINFENG_SMS_TEMPLATE_REGISTERED``
    and ``XINFENG_SMS_TEMPLATE_NOTICE``) and the template's variables as JSON; the key
    ``XINFENG_SMS_ACCESS_KEY`` goes in an ``Authorization: Bearer`` header (put a signing
    proxy in front for providers that need request signatures). Any answer but 2xx with
    ``Code`` ``OK`` (or no ``Code``) is an error. Enabled by setting
    ``XINFENG_SMS_BACKEND=xinfeng.notifications.channels.HttpSmsGateway``."""

    status = "sent"
    TEMPLATES = {
        "code": "XINFENG_SMS_TEMPLATE_CODE",
        "registered": "XINFENG_SMS_TEMPLATE_REGISTERED",
        "notice": "XINFENG_SMS_TEMPLATE_NOTICE",
    }

    def __init__(self):
        self.url = os.environ.get("XINFENG_SMS_GATEWAY_URL", "")
        self.sign_name = os.environ.get("XINFENG_SMS_SIGN_NAME", "")
        self.key = os.environ.get("XINFENG_SMS_ACCESS_KEY", "")
        self.timeout = float(os.environ.get("XINFENG_SMS_TIMEOUT", "5"))
        if not self.url.startswith(("https://", "http://")) or not self.sign_name:
            raise ChannelUnavailable("XINFENG_SMS_GATEWAY_URL and XINFENG_SMS_SIGN_NAME are needed")

    def payload(self, *, phone: str, template: str, params: dict) -> dict:
        template_id = os.environ.get(self.TEMPLATES.get(template, ""), "")
        if not template_id:
            raise ChannelUnavailable(f"no template id for {template!r}")
        return {
            "PhoneNumbers": phone,
            "SignName": self.sign_name,
            "TemplateCode": template_id,
            "TemplateParam": json.dumps(params, ensure_ascii=False),
        }

    def send(self, *, user, title: str, body: str, link: str) -> str:
        phone = getattr(user, "phone", "") or ""
        if not phone:
            raise ChannelUnavailable("no phone number")
        return self.send_sms(phone=phone, template="notice", params={"title": title}, text=title)

    def send_sms(self, *, phone: str, template: str, params: dict, text: str) -> str:
        body = json.dumps(self.payload(phone=phone, template=template, params=params)).encode()
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        # The scheme is checked in __init__ (http/https only).
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
        if answer.get("Code", "OK") != "OK":
            raise ChannelUnavailable(f"gateway refused: {answer.get('Code')}")
        return mask_phone(phone)


class LoggingWeChatBackend:
    """Writes the WeChat template message to the log (no official account yet)."""

    status = "logged"
    local = True

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
