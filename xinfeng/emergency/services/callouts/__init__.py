"""Call-outs (召集): choose people, queue one delivery row each, send them in batches from
the worker, take the answers (来/不来/稍后) and escalate non-responders on a timer.

Three modules, one import path: ``selection`` (who is called, the call-out and its rows),
``sending`` (answer links, the worker's batches, escalation) and ``answers`` (answers,
arrivals, closing). Callers import from ``services.callouts`` as before.
"""

from .answers import (
    ANSWER_STATE,
    ANSWERABLE,
    CALLOUT_CLOSED,
    SENT_STATES,
    callout_answer,
    callout_answer_by_token,
    callout_close,
    callout_mark_arrived,
    mark_arrived_for_incident,
)
from .selection import (
    NO_RECIPIENTS,
    RECIPIENT_COLUMNS,
    Candidate,
    callout_candidates,
    callout_create,
)
from .sending import (
    ANSWER_SALT,
    BAD_TOKEN,
    CHANNELS,
    SEND_BATCH,
    answer_link,
    answer_token,
    callout_queued,
    callout_send,
    callout_send_batch,
    enqueue_send,
    escalate_due,
    recipient_for_token,
    recipient_id_for_token,
    send_batch_size,
)

__all__ = [
    "ANSWERABLE",
    "ANSWER_SALT",
    "ANSWER_STATE",
    "BAD_TOKEN",
    "CALLOUT_CLOSED",
    "CHANNELS",
    "NO_RECIPIENTS",
    "RECIPIENT_COLUMNS",
    "SEND_BATCH",
    "SENT_STATES",
    "Candidate",
    "answer_link",
    "answer_token",
    "callout_answer",
    "callout_answer_by_token",
    "callout_candidates",
    "callout_close",
    "callout_create",
    "callout_mark_arrived",
    "callout_queued",
    "callout_send",
    "callout_send_batch",
    "enqueue_send",
    "escalate_due",
    "mark_arrived_for_incident",
    "recipient_for_token",
    "recipient_id_for_token",
    "send_batch_size",
]
