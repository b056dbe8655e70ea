"""Sending a text message to a number that may have no account yet (verification codes).

The backend is the notification channels' SMS backend named by ``XINFENG_SMS_BACKEND``
(``settings.py``; default: the development backend that writes to the log and the
``DevSms`` table). It is looked up by that setting, like ``AUTHENTICATION_BACKENDS``,
because notifications sit above accounts in the import order: accounts must not import it.
A backend offers ``send_sms(*, phone, template, params, text) -> str``: ``template`` is a
logical name (``code``, ``registered``) a gateway maps to its template id, ``params`` the
template's variables, ``text`` the full message for backends that send free text.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("xinfeng.accounts")


def send_sms(*, phone: str, template: str, params: dict, text: str) -> str:
    """Send one message; a gateway failure is logged, never raised (the code is stored and
    the person can ask again after the interval)."""
    backend = import_string(settings.XINFENG_SMS_BACKEND)()
    try:
        return backend.send_sms(phone=phone, template=template, params=params, text=text)
    except Exception:  # a gateway outage must not turn a sign-up into a 500
        log.exception("SMS to %s*** failed", phone[:3])
        return "failed"
