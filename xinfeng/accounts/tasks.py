"""Housekeeping of the phone flows, run by the worker."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .models import DevSms, PhoneCode, SmsQuota


@task()
def purge_phone_codes() -> int:
    """Drop what the limits no longer need: codes older than two days (the daily limit
    looks back one), quota rows idle as long, development SMS older than a day."""
    now = timezone.now()
    old = now - timedelta(days=2)
    deleted = PhoneCode.objects.filter(created_at__lt=old).delete()[0]
    deleted += SmsQuota.objects.filter(last_sent_at__lt=old).delete()[0]
    deleted += DevSms.objects.filter(created_at__lt=now - timedelta(days=1)).delete()[0]
    return deleted
