"""Delivery of notification copies to outside channels, run by the worker (``manage.py
worker``) so a slow mail server or gateway never holds up a request."""

from django_tasks import task

from .models import Delivery, Notification


@task()
def deliver_notifications(notification_ids: list[int], channels: list[str]) -> int:
    from .channels import CHANNELS, ChannelUnavailable, backend_for

    sent = 0
    rows = Notification.objects.select_related("recipient").filter(pk__in=notification_ids)
    done = set(
        Delivery.objects.filter(notification_id__in=notification_ids).values_list(
            "notification_id", "channel"
        )
    )
    for n in rows:
        for channel in channels:
            if channel not in CHANNELS or (n.pk, channel) in done:
                continue  # a re-run after a crash does not send twice
            backend = backend_for(channel)
            try:
                detail = backend.send(
                    user=n.recipient, title=n.title_text, body=n.body_text, link=n.link
                )
                status = getattr(backend, "status", "sent")
                sent += 1
            except ChannelUnavailable as exc:
                status, detail = "skipped", str(exc)
            except Exception as exc:  # a gateway error must not lose the other deliveries
                status, detail = "failed", f"{type(exc).__name__}: {exc}"
            Delivery.objects.create(
                notification=n, channel=channel, status=status, detail=str(detail)[:300]
            )
    return sent
