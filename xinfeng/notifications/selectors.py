"""Reads of a user's own inbox."""

from django.db.models import QuerySet

from .models import Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
