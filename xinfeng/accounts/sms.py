"""Sending a text message to a number that may have no account yet (verification codes).

The backend is the notification channels' SMS backend named by ``XINFENG_SMS_BACKEND``
(``settings.py``; default: the development backend that writes to the log and the
``DevSms`` table). It is looked up by that setting, like ``AUTHENTICATION_BACKENDS``,
because notifications sit above accounts in the import order: accounts must not import it.
A backend offers ``send_sms(*, phone, template, params, text) -> str``: ``template`` is a
logical name (``code``, ``registered``) a gateway maps to its template id, ``params`` the
template's variables, ``text`` the full message for backends that send free text.

A backend with ``inline = True`` (the development one: a log line and a row) sends during
the request. Any other (a gateway over the network) sends from the worker: a request for a
number that gets a message and one for a number that gets none then do the same work —
queue one job — and take the same time, so response times do not tell whether a number is
registered, and a slow gateway holds up nobody. The job's arguments are encrypted
(``core.crypto``): the task table never holds a code in clear.
"""

import json
import logging

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks import task

from xinfeng.core.crypto import decrypt, encrypt

log = logging.getLogger("xinfeng.accounts")


def _backend():
    return import_string(settings.XINFENG_SMS_BACKEND)()


def _send(backend, message: dict) -> str:
    try:
        return backend.send_sms(**message)
    except Exception:  # a gateway outage must not turn a sign-up into a 500
        log.exception("SMS to %s*** failed", message["phone"][:3])
        return "failed"


def send_sms(message: dict | None) -> None:
    """Send ``message`` (``phone``, ``template``, ``params``, ``text``), or nothing when it
    is None — in the same way, see the module doc."""
    backend = _backend()
    if getattr(backend, "inline", False):
        if message is not None:
            _send(backend, message)
        return
    deliver_sms.enqueue(encrypt(json.dumps(message, ensure_ascii=False)))


@task()
def deliver_sms(sealed: str) -> str:
    """The worker's half of ``send_sms``."""
    message = json.loads(decrypt(sealed))
    if message is None:
        return "nothing to send"
    return _send(_backend(), message)
