"""Sending notifications. Always after commit: a rolled-back change notifies nobody.

``notify`` writes inbox rows when the surrounding transaction commits and, when asked for
outside channels (email, SMS, WeChat), queues their delivery for the worker. A hot path
(order creation) may pass ``in_transaction=True``: the rows are then written inside the
caller's transaction, so they commit or roll back with it (still nobody is notified of a
rolled-back change, and nobody sees the rows before the commit), without a transaction of
their own after it; the outside channels are still queued once it commits.

Titles and bodies are best given as messages (``texts.Message``: a key and parameters),
which are stored as such and rendered in each reader's language; a plain string (a reason
a person typed) is stored and shown as written.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from xinfeng.core.errors import NotAuthenticated
from xinfeng.core.inserts import insert

from .models import Notification
from .texts import Message, Text, to_message


def notify(
    *,
    recipients: Iterable,
    title: str | Message | Text,
    body: str | Message | Text = "",
    link: str = "",
    kind: str = "",
    channels: Iterable[str] = (),
    in_transaction: bool = False,
) -> None:
    """Queue an inbox message for each recipient (deduplicated) once the current
    transaction commits, and the copies on ``channels`` after that. Safe to call inside a
    service's atomic block; outside one it sends at once. ``in_transaction``: write the
    inbox rows now, in the caller's transaction (one round trip, no transaction of its own
    after the commit); the channels' copies are queued when it commits."""
    seen: dict[int, object] = {}
    for r in recipients:
        if r is not None and r.pk not in seen:
            seen[r.pk] = r
    if not seen:
        return
    channels = list(channels)
    title, title_msg = to_message(title)
    body, body_msg = to_message(body)
    link = str(link)

    def _write():
        # bulk_create, its SQL compiled once (notices are written on hot paths).
        return insert(
            [
                Notification(
                    recipient=r,
                    title=title[:200],
                    body=body,
                    title_msg=title_msg,
                    body_msg=body_msg,
                    link=link[:300],
                    kind=kind,
                )
                for r in seen.values()
            ]
        )

    def _queue(rows):
        if channels:
            from .tasks import deliver_notifications

            # PostgreSQL and SQLite (3.35+) return the new ids from bulk_create.
            ids = [n.pk for n in rows]
            deliver_notifications.enqueue(ids, channels)

    if in_transaction:
        rows = _write()
        if channels:
            transaction.on_commit(lambda: _queue(rows))
        return
    transaction.on_commit(lambda: _queue(_write()))


def notification_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read (all unread ones when ``ids`` is None). Returns
    how many changed; other users' notifications are never touched."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
