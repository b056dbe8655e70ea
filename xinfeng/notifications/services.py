"""Sending notifications. Always after commit: a rolled-back change notifies nobody."""

from django.db import transaction

from .models import Notification


def notify(*, recipients, title: str, body: str = "", link: str = "", kind: str = "") -> None:
    """Queue an inbox message (and channel copies) for each recipient once the current
    transaction commits. Safe to call inside a service's atomic block."""
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return

    def _send():
        Notification.objects.bulk_create(
            [
                Notification(recipient=r, title=title[:200], body=body, link=link[:300], kind=kind)
                for r in recipients
            ]
        )

    transaction.on_commit(_send)
