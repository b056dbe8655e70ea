"""Delivery of notification copies to outside channels, run by the worker (``manage.py
worker``) so a slow mail server or gateway never holds up a request."""

from django.db import DatabaseError, transaction
from django_tasks import task

from .models import Delivery, Notification

LOCAL_CHUNK = 500  # copies a local backend writes per transaction


@task()
def deliver_notifications(notification_ids: list[int], channels: list[str]) -> int:
    """Send each notification's copy on each channel once and record it (a re-run after a
    crash skips what is recorded). A backend whose whole effect is rows in this database and
    a log line (``local = True``: the logging SMS and WeChat backends) writes its copies and
    their delivery records in one transaction per chunk (with ``send_many``, its rows in one
    INSERT): a copy and its record commit together or not at all, and a chunk costs one
    commit instead of two per copy. A backend that talks to the outside (mail, an SMS
    gateway) records each copy as soon as it is sent, so a crash re-sends at most the one in
    flight."""
    from .channels import CHANNELS, backend_for

    backends = {c: backend_for(c) for c in dict.fromkeys(channels) if c in CHANNELS}
    rows = Notification.objects.select_related("recipient").filter(pk__in=notification_ids)
    done = set(
        Delivery.objects.filter(notification_id__in=notification_ids).values_list(
            "notification_id", "channel"
        )
    )
    todo = [(n, c) for n in rows for c in backends if (n.pk, c) not in done]
    sent = 0
    for channel, backend in backends.items():
        mine = [n for n, c in todo if c == channel]
        if not getattr(backend, "local", False):
            for n in mine:
                record = Delivery(notification=n, channel=channel, **_send(backend, n))
                record.save()
                sent += record.status not in ("skipped", "failed")
            continue
        for i in range(0, len(mine), LOCAL_CHUNK):
            chunk = mine[i : i + LOCAL_CHUNK]
            with transaction.atomic():
                if hasattr(backend, "send_many"):
                    results = [_result(backend, r) for r in backend.send_many(_messages(chunk))]
                else:
                    results = [_send(backend, n) for n in chunk]
                records = [
                    Delivery(notification=n, channel=channel, **r)
                    for n, r in zip(chunk, results, strict=True)
                ]
                Delivery.objects.bulk_create(records)
            sent += sum(r.status not in ("skipped", "failed") for r in records)
    return sent


def _messages(notes) -> list[dict]:
    return [
        {"user": n.recipient, "title": n.title_text, "body": n.body_text, "link": n.link}
        for n in notes
    ]


def _result(backend, detail) -> dict:
    """A delivery record's status and detail from what a backend's ``send`` returned or
    raised."""
    from .channels import ChannelUnavailable

    if isinstance(detail, ChannelUnavailable):
        return {"status": "skipped", "detail": str(detail)[:300]}
    return {"status": getattr(backend, "status", "sent"), "detail": str(detail)[:300]}


def _send(backend, n: Notification) -> dict:
    """Send one copy: the status and detail for its record."""
    from .channels import ChannelUnavailable

    try:
        detail = backend.send(user=n.recipient, title=n.title_text, body=n.body_text, link=n.link)
    except ChannelUnavailable as exc:
        detail = exc
    except DatabaseError:
        raise  # a local backend's chunk rolls back whole (copies and records); the task fails
    except Exception as exc:  # a gateway error must not lose the other deliveries
        return {"status": "failed", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    return _result(backend, detail)
