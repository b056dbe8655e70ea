"""Records an upper platform pushes down: volunteers (e.g. registered nationally) and their
service records. Idempotent per (source, Idempotency-Key); a person is merged by our
volunteer number, the platform's number already linked to one of ours, or the keyed hash of
the ID number (``volunteers.services.profiles.id_number_hash``) — never duplicated.
Changes made here are not sent back to the platform they came from."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, NotFound, ValidationFailed
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import RegistrationChannel, ServiceSource, Verification
from xinfeng.volunteers.identity import check_id_number
from xinfeng.volunteers.models import ServiceRecord, Volunteer
from xinfeng.volunteers.services.ledger import service_record_create
from xinfeng.volunteers.services.numbers import volunteer_number
from xinfeng.volunteers.services.profiles import (
    PRIVACY_NOTICE_VERSION,
    id_number_hash,
    prepare_volunteer,
)

from ..choices import Entity
from ..models import ExternalRef, InboundReceipt
from .outbox import changes_from


def once(source: str, key: str, endpoint: str, handler) -> tuple[int, dict]:
    """Run ``handler() -> (status, body)`` once per key; a repeat gets the stored answer."""
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise ValidationFailed(_("缺少 Idempotency-Key 请求头。"), code="idempotency_key_required")
    done = InboundReceipt.objects.filter(source=source, key=key).first()
    if done:
        return done.status_code, done.response
    try:
        with transaction.atomic(), changes_from(source):
            status, body = handler()
            InboundReceipt.objects.create(
                source=source, key=key, endpoint=endpoint, status_code=status, response=body
            )
    except IntegrityError:
        # The same push racing itself (the receipt), or the same person pushed twice at
        # once under two keys (the ID hash): the loser is told to try again.
        done = InboundReceipt.objects.filter(source=source, key=key).first()
        if done is None:
            raise Conflict(_("同一记录正在处理，请稍后重试。"), code="retry_later") from None
        return done.status_code, done.response
    return status, body


def _link(source: str, entity: str, external_id: str, local_id: int) -> None:
    if external_id:
        ExternalRef.objects.get_or_create(
            target=source,
            entity_type=entity,
            external_id=external_id,
            defaults={"local_id": local_id},
        )


def find_volunteer(source: str, *, number: str = "", external_id: str = "", id_hash: str = ""):
    if number:
        v = Volunteer.objects.filter(number=number).first()
        if v:
            return v
    if external_id:
        ref = ExternalRef.objects.filter(
            target=source, entity_type=Entity.VOLUNTEER, external_id=external_id
        ).first()
        if ref:
            return Volunteer.objects.filter(pk=ref.local_id).first()
    if id_hash:
        return Volunteer.objects.filter(id_number_hash=id_hash).first()
    return None


def volunteer_push(*, source: str, data: dict) -> tuple[int, dict]:
    id_hash = ""
    if data.get("id_number"):
        facts = check_id_number(data.get("id_type") or "resident_id", data["id_number"])
        id_hash = id_number_hash(data.get("id_type") or "resident_id", facts.number)
    found = find_volunteer(
        source,
        number=data.get("volunteer_number") or "",
        external_id=data.get("external_id") or "",
        id_hash=id_hash,
    )
    if found:
        _link(source, Entity.VOLUNTEER, data.get("external_id") or "", found.pk)
        return 200, {"volunteer_number": found.number, "merged": True}
    region = Region.objects.filter(code=data.get("region_code") or "").first()
    if region is None:
        raise ValidationFailed(_("区划代码无效。"), code="region_unknown")
    if not data.get("id_number"):
        raise ValidationFailed(_("新志愿者须提供证件号码。"), code="id_number_required")
    volunteer = prepare_volunteer(
        name=data.get("name") or "",
        id_type=data.get("id_type") or "resident_id",
        id_number=data["id_number"],
        phone=data.get("phone") or "",
        home_region=region,
        gender=data.get("gender") or "",
        birth_date=data.get("birth_date"),
        # Consent was given on the platform that registered the volunteer.
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
    )
    volunteer.registration_channel = RegistrationChannel.IMPORT
    volunteer.number = volunteer_number()
    volunteer.save()
    _link(source, Entity.VOLUNTEER, data.get("external_id") or "", volunteer.pk)
    return 201, {"volunteer_number": volunteer.number, "merged": False}


def _dt(value, label):
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed(_("时间格式无效：%(f)s") % {"f": label}, code="bad_time") from exc


def service_record_push(*, source: str, data: dict) -> tuple[int, dict]:
    external_id = (data.get("external_id") or "").strip()
    if not external_id:
        raise ValidationFailed(_("缺少对方记录编号。"), code="external_id_required")
    ref = ExternalRef.objects.filter(
        target=source, entity_type=Entity.SERVICE_RECORD, external_id=external_id
    ).first()
    if ref:
        return 200, {"record_id": ref.local_id, "merged": True}
    v = find_volunteer(
        source,
        number=data.get("volunteer_number") or "",
        external_id=data.get("volunteer_external_id") or "",
    )
    if v is None:
        raise NotFound(_("没有这名志愿者。"), code="volunteer_unknown")
    region = Region.objects.filter(code=data.get("region_code") or "").first() or v.home_region
    hours = data.get("hours")
    try:
        hours = Decimal(str(hours)) if hours not in (None, "") else None
    except InvalidOperation as exc:
        raise ValidationFailed(_("时长无效。"), code="hours_invalid") from exc
    record: ServiceRecord = service_record_create(
        volunteer=v,
        region=region,
        started_at=_dt(data.get("started_at"), "started_at"),
        ended_at=_dt(data.get("ended_at"), "ended_at"),
        source_type=ServiceSource.OTHER,
        verification=Verification.BACKFILL,
        description=(data.get("description") or "")[:200],
        hours=hours,
    )
    _link(source, Entity.SERVICE_RECORD, external_id, record.pk)
    return 201, {"record_id": record.pk, "merged": False}
