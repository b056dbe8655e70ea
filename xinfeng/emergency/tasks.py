"""Background work of emergency mode, run by ``manage.py worker``."""

from django_tasks import task


@task()
def send_callout(callout_id: int) -> int:
    """Send a call-out's queued rows (idempotent: a re-run sends only what is queued)."""
    from .services.callouts import callout_send

    return callout_send(callout_id)


@task()
def escalate_callouts() -> dict:
    """Remind non-responders and call the next people on the roster (periodic)."""
    from .choices import CalloutStatus, RecipientState
    from .models import CalloutRecipient
    from .services.callouts import callout_send, escalate_due

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
