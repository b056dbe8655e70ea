"""Background work of emergency mode, run by ``manage.py worker``.

The services announce queued call-outs with ``services.callouts.callout_queued``; this module
queues the send after commit, so the services never import their tasks (no import cycle).
"""

from django.db import transaction
from django_tasks import task

from .choices import CalloutStatus, RecipientState
from .models import CalloutRecipient
from .services.callouts import callout_queued, callout_send, escalate_due


@task()
def send_callout(callout_id: int) -> int:
    """Send a call-out's queued rows (idempotent: a re-run sends only what is queued)."""
    return callout_send(callout_id)


@task()
def escalate_callouts() -> dict:
    """Remind non-responders and call the next people on the roster (periodic)."""
    result = escalate_due()
    # Anything still queued (a worker died before sending) is sent now.
    for cid in (
        CalloutRecipient.objects.filter(
            state=RecipientState.QUEUED, callout__status=CalloutStatus.OPEN
        )
        .values_list("callout_id", flat=True)
        .distinct()
    ):
        result["sent"] = result.get("sent", 0) + callout_send(cid)
    return result


def queue_send(sender, callout_id: int, **kwargs) -> None:
    """``callout_queued`` receiver: send the call-out's rows from the worker after commit."""
    transaction.on_commit(lambda: send_callout.enqueue(callout_id))


callout_queued.connect(queue_send, dispatch_uid="emergency-callout-queued")
