"""Call-outs, sending (the worker): the signed answer links, the batches that write the
inbox messages and mark rows sent in one transaction, and the periodic escalation that
reminds non-responders and queues people from the reserve.

Delivery is idempotent: a ``CalloutRecipient`` row is unique per person and call-out, and
the worker turns ``queued`` into ``sent`` in the same transaction that writes the inbox
message, so a worker killed mid-send loses no message and sends none twice.
"""

import os
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import NotFound
from xinfeng.notifications.models import Notification
from xinfeng.notifications.texts import to_message

from ... import texts
from ...choices import CalloutStatus, IncidentAction, RecipientState
from ...models import Callout, CalloutRecipient
from ..timeline import event_add

SEND_BATCH = 500  # rows per transaction; XINFENG_EMERGENCY_SEND_BATCH overrides it
CHANNELS = ["sms"]
ANSWER_SALT = "xinfeng.emergency.answer"
BAD_TOKEN = _("链接无效或已失效。")


# Sent when a call-out has rows queued; the tasks module queues the worker's send after
# commit (services do not import their tasks: no import cycle).
callout_queued = Signal()


def enqueue_send(callout_id: int) -> None:
    callout_queued.send(sender=Callout, callout_id=callout_id)


def answer_token(recipient_id: int) -> str:
    return signing.Signer(salt=ANSWER_SALT).sign(str(recipient_id))


def recipient_id_for_token(token: str) -> int:
    """The delivery row a signed answer link names (no query); 404 for a forged one."""
    try:
        return int(signing.Signer(salt=ANSWER_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise NotFound(BAD_TOKEN, code="bad_token") from None


def recipient_for_token(token: str) -> CalloutRecipient:
    pk = recipient_id_for_token(token)
    row = (
        CalloutRecipient.objects.select_related("callout__incident", "volunteer", "team")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise NotFound(BAD_TOKEN, code="bad_token")
    return row


def answer_link(recipient_id: int, *, base: str | None = None) -> str:
    """The path of the answer page for one recipient (``base``: the resolved prefix, so a
    batch resolves the URL once)."""
    base = base or reverse("emergency:answer", args=["-"])[:-2]
    return f"{base}{answer_token(recipient_id)}/"


def send_batch_size() -> int:
    return max(1, int(os.environ.get("XINFENG_EMERGENCY_SEND_BATCH", SEND_BATCH)))


def callout_send_batch(callout_id: int, *, batch: int | None = None) -> int:
    """Send up to ``batch`` queued rows of one call-out: write the inbox messages and mark
    the rows sent in one transaction (locked rows another worker holds are skipped), then
    queue the SMS copies. Returns how many were sent."""
    with transaction.atomic():
        callout = Callout.objects.select_related("incident").get(pk=callout_id)
        if callout.status != CalloutStatus.OPEN:
            return 0
        rows = list(
            CalloutRecipient.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(callout_id=callout_id, state=RecipientState.QUEUED)
            .order_by("rank")
            .values_list("pk", "volunteer__user_id")[: batch or send_batch_size()]
        )
        if not rows:
            return 0
        title, title_msg = to_message(texts.CALLOUT(t=callout.title))
        body, body_msg = to_message(texts.CALLOUT_BODY(incident=callout.incident.title))
        base = reverse("emergency:answer", args=["-"])[:-2]
        notes = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=user_id,
                    title=title[:200],
                    body=body,
                    title_msg=title_msg,
                    body_msg=body_msg,
                    link=answer_link(pk, base=base),
                    kind="emergency.callout",
                )
                for pk, user_id in rows
            ]
        )
        # One UPDATE marks the batch sent, in the transaction that wrote the inbox rows.
        CalloutRecipient.objects.filter(pk__in=[r[0] for r in rows]).update(
            state=RecipientState.SENT, sent_at=timezone.now()
        )
        ids = [n.pk for n in notes]
        transaction.on_commit(lambda: _deliver(ids))
    return len(rows)


def _deliver(ids: list[int]) -> None:
    from xinfeng.notifications.tasks import deliver_notifications

    deliver_notifications.enqueue(ids, CHANNELS)


def callout_send(callout_id: int) -> int:
    """Send every queued row of the call-out, batch by batch (each batch commits)."""
    total = 0
    while True:
        n = callout_send_batch(callout_id)
        if not n:
            return total
        total += n


# ── Escalation (periodic) ──────────────────────────────────────────────────────────────
def escalate_due(now=None) -> dict:
    """For every open call-out: people sent (or 稍后) longer ago than its escalation time
    who have not said 来 or 不来 get one reminder, and as many reserve people as there are
    such non-responders are queued next, in roster order. 不来 people are never messaged
    again. Finds its work in the database, so a restarted worker carries on."""
    now = now or timezone.now()
    escalated = promoted = 0
    for callout in Callout.objects.filter(status=CalloutStatus.OPEN).select_related("incident"):
        cutoff = now - timedelta(minutes=callout.escalate_after_minutes)
        with transaction.atomic():
            stale = list(
                CalloutRecipient.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    callout=callout,
                    state__in=[RecipientState.SENT, RecipientState.LATER],
                    escalated=False,
                    sent_at__lte=cutoff,
                )
                .select_related("volunteer")
            )
            if not stale:
                continue
            _remind(callout, stale, now)
            reserve = list(
                CalloutRecipient.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(callout=callout, state=RecipientState.RESERVE)
                .order_by("rank")[: len(stale)]
            )
            CalloutRecipient.objects.filter(pk__in=[r.pk for r in reserve]).update(
                state=RecipientState.QUEUED
            )
            CalloutRecipient.objects.filter(pk__in=[r.pk for r in stale]).update(
                escalated=True, reminded_at=now
            )
            event_add(
                callout.incident,
                IncidentAction.ESCALATE,
                None,
                f"{callout.title}: {len(stale)} → +{len(reserve)}",
            )
            escalated += len(stale)
            promoted += len(reserve)
            if reserve:
                enqueue_send(callout.pk)
    return {"escalated": escalated, "promoted": promoted}


def _remind(callout, rows, now) -> None:
    title, title_msg = to_message(texts.REMINDER(t=callout.title))
    body, body_msg = to_message(texts.CALLOUT_BODY(incident=callout.incident.title))
    notes = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=r.volunteer.user_id,
                title=title[:200],
                body=body,
                title_msg=title_msg,
                body_msg=body_msg,
                link=answer_link(r.pk),
                kind="emergency.callout",
            )
            for r in rows
        ]
    )
    ids = [n.pk for n in notes]
    transaction.on_commit(lambda: _deliver(ids))
