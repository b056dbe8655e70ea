"""Call-outs, answers and arrivals: the person's answer from the signed link (one
conditional UPDATE), arrival marked by staff or by a station check-in, and closing."""

from functools import cache

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, NotFound, ValidationFailed

from ...choices import Answer, CalloutStatus, IncidentAction, RecipientState
from ...models import Callout, CalloutRecipient
from ...policy import require_may_run
from ..timeline import event_add
from .sending import BAD_TOKEN, recipient_id_for_token

CALLOUT_CLOSED = _("该召集已结束，不再接受答复。")

SENT_STATES = (
    RecipientState.SENT,
    RecipientState.COMING,
    RecipientState.DECLINED,
    RecipientState.LATER,
    RecipientState.ARRIVED,
)


ANSWER_STATE = {
    Answer.COMING: RecipientState.COMING,
    Answer.DECLINED: RecipientState.DECLINED,
    Answer.LATER: RecipientState.LATER,
}


ANSWERABLE = (RecipientState.SENT, *ANSWER_STATE.values())


def callout_answer(*, recipient, answer: str) -> CalloutRecipient:
    """The person's answer from the link on the phone: 来, 不来 (no more messages for
    this call-out) or 稍后. A closed call-out or one the person has arrived at refuses."""
    recipient.state, recipient.answered_at = _answer(recipient.pk, answer)
    return recipient


def callout_answer_by_token(*, token: str, answer: str) -> str:
    """The answer posted from the phone's signed link, without reading the row first: in
    the usual case the whole answer is one UPDATE. Returns the new state."""
    return _answer(recipient_id_for_token(token), answer)[0]


@cache
def _answer_sql() -> str:
    """The answer's UPDATE, written once: the busiest statement of a call-out (hundreds a
    second), where building it through the ORM cost more than running it. Same as
    ``filter(pk=…, state__in=ANSWERABLE, callout__status=OPEN).update(state=…,
    answered_at=…)``."""
    q = connection.ops.quote_name
    table, callouts = q(CalloutRecipient._meta.db_table), q(Callout._meta.db_table)
    states = ", ".join(["%s"] * len(ANSWERABLE))
    # Only the model's quoted table names go into the text; every value is a parameter.
    return (
        f"UPDATE {table} SET state = %s, answered_at = %s "  # noqa: S608
        f"WHERE id = %s AND state IN ({states}) "
        f"AND callout_id IN (SELECT id FROM {callouts} WHERE status = %s)"
    )


def _answer(pk: int, answer: str):
    """Record ``answer`` for delivery row ``pk``; (state, answered_at). One conditional
    UPDATE, its own transaction: the answer lands only while the call-out is open and the
    person was sent it and has not arrived (no read-then-write race, no lock held). The same
    answer again is harmless; a changed mind overwrites it. Only a refused answer reads the
    row, to say why."""
    if answer not in ANSWER_STATE:
        raise ValidationFailed(_("答复只能是：来、不来或稍后答复。"), code="bad_answer")
    now = timezone.now()
    state = ANSWER_STATE[answer]
    with connection.cursor() as cursor:
        cursor.execute(
            _answer_sql(),
            [
                state.value,
                connection.ops.adapt_datetimefield_value(now),
                pk,
                *(s.value for s in ANSWERABLE),
                CalloutStatus.OPEN.value,
            ],
        )
        done = cursor.rowcount
    if done:
        return state, now
    row = CalloutRecipient.objects.select_related("callout").filter(pk=pk).first()
    if row is None:
        raise NotFound(BAD_TOKEN, code="bad_token")
    if row.callout.status != CalloutStatus.OPEN:
        raise Conflict(CALLOUT_CLOSED, code="callout_closed")
    if row.state == RecipientState.ARRIVED:
        raise Conflict(_("您已到达，无需再答复。"), code="already_arrived")
    raise Conflict(_("召集尚未发送给您。"), code="not_sent")


@transaction.atomic
def callout_mark_arrived(*, actor, recipient) -> CalloutRecipient:
    row = (
        CalloutRecipient.objects.select_for_update()
        .select_related("callout__incident")
        .get(pk=recipient.pk)
    )
    require_may_run(actor, row.callout.incident)
    if row.callout.status != CalloutStatus.OPEN:
        raise Conflict(CALLOUT_CLOSED, code="callout_closed")
    if row.state not in SENT_STATES:
        raise Conflict(_("召集尚未发送给此人。"), code="not_sent")
    row.state = RecipientState.ARRIVED
    row.arrived_at = row.arrived_at or timezone.now()
    row.save(update_fields=["state", "arrived_at"])
    return row


def mark_arrived_for_incident(*, incident, volunteer) -> int:
    """A check-in at a station of the incident counts as arrival in its open call-outs."""
    return CalloutRecipient.objects.filter(
        callout__incident=incident,
        callout__status=CalloutStatus.OPEN,
        volunteer=volunteer,
        state__in=[RecipientState.SENT, RecipientState.COMING, RecipientState.LATER],
    ).update(state=RecipientState.ARRIVED, arrived_at=timezone.now())


@transaction.atomic
def callout_close(*, actor, callout) -> Callout:
    callout = Callout.objects.select_for_update().select_related("incident").get(pk=callout.pk)
    require_may_run(actor, callout.incident)
    if callout.status != CalloutStatus.OPEN:
        raise Conflict(CALLOUT_CLOSED, code="callout_closed")
    callout.status, callout.closed_at = CalloutStatus.CLOSED, timezone.now()
    callout.save(update_fields=["status", "closed_at"])
    event_add(callout.incident, IncidentAction.CALLOUT_CLOSE, actor, callout.title)
    return callout
