"""Signal receivers that write the outbox. Lower apps never import sync: it listens to their
models. Django signals run synchronously inside the caller's transaction (every service is
``transaction.atomic``), so the outbox row commits or rolls back with the change."""

from django.db.models.signals import post_delete, post_save

from . import snapshots
from .choices import Entity, Event
from .services.outbox import outbox_write

# Saves that only touch these fields are bookkeeping, not news for an upper platform.
VOLUNTEER_QUIET_FIELDS = {
    "total_hours",
    "points_balance",
    "updated_at",
    "location_consented_at",
    "privacy_consented_at",
    "privacy_notice_version",
}


def _quiet(update_fields, quiet) -> bool:
    return update_fields is not None and set(update_fields) <= quiet


def volunteer_saved(sender, instance, created, update_fields=None, raw=False, **kw):
    if raw or _quiet(update_fields, VOLUNTEER_QUIET_FIELDS):
        return
    event = Event.CREATED if created else Event.UPDATED if instance.is_active else Event.LEFT
    outbox_write(Entity.VOLUNTEER, instance.pk, event, snapshots.volunteer(instance))


def volunteer_deleted(sender, instance, **kw):
    outbox_write(
        Entity.VOLUNTEER,
        instance.pk,
        Event.DELETED,
        snapshots.deleted(instance.pk, number=instance.number),
    )


def team_saved(sender, instance, created, raw=False, **kw):
    if raw:
        return
    event = Event.CREATED if created else Event.UPDATED
    outbox_write(Entity.TEAM, instance.pk, event, snapshots.team(instance))


def team_deleted(sender, instance, **kw):
    outbox_write(Entity.TEAM, instance.pk, Event.DELETED, snapshots.deleted(instance.pk))


def project_saved(sender, instance, created, raw=False, **kw):
    if raw:
        return
    event = Event.CREATED if created else Event.UPDATED
    outbox_write(Entity.PROJECT, instance.pk, event, snapshots.project(instance))


def project_deleted(sender, instance, **kw):
    outbox_write(Entity.PROJECT, instance.pk, Event.DELETED, snapshots.deleted(instance.pk))


def service_record_saved(sender, instance, created, raw=False, **kw):
    if raw:
        return
    if created:
        event = Event.CORRECTED if instance.corrects_id else Event.CREATED
    else:
        event = Event.UPDATED
    outbox_write(Entity.SERVICE_RECORD, instance.pk, event, snapshots.service_record(instance))


def service_record_deleted(sender, instance, **kw):
    outbox_write(Entity.SERVICE_RECORD, instance.pk, Event.DELETED, snapshots.deleted(instance.pk))


def order_event_saved(sender, instance, created, raw=False, **kw):
    """Each state change of an order (its ``OrderEvent`` row) is one event of the order, so
    the 四单 loop arrives upstream in the order it happened."""
    if raw or not created:
        return
    outbox_write(
        Entity.ORDER, instance.order_id, f"order.{instance.action}", snapshots.order_event(instance)
    )


def certificate_saved(sender, instance, created, update_fields=None, raw=False, **kw):
    if raw:
        return
    if created:
        event = Event.ISSUED
    elif instance.revoked_at is not None and (
        update_fields is None or "revoked_at" in update_fields
    ):
        event = Event.REVOKED
    else:
        return  # e.g. the PDF being stored
    outbox_write(Entity.CERTIFICATE, instance.pk, event, snapshots.certificate(instance))


def connect() -> None:
    from xinfeng.orders.models import OrderEvent
    from xinfeng.projects.models import Project
    from xinfeng.volunteers.models import Certificate, ServiceRecord, Team, Volunteer

    pairs = [
        (post_save, Volunteer, volunteer_saved),
        (post_delete, Volunteer, volunteer_deleted),
        (post_save, Team, team_saved),
        (post_delete, Team, team_deleted),
        (post_save, Project, project_saved),
        (post_delete, Project, project_deleted),
        (post_save, ServiceRecord, service_record_saved),
        (post_delete, ServiceRecord, service_record_deleted),
        (post_save, OrderEvent, order_event_saved),
        (post_save, Certificate, certificate_saved),
    ]
    for signal, model, receiver in pairs:
        signal.connect(receiver, sender=model, dispatch_uid=f"sync.{receiver.__name__}")
