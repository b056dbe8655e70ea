"""Inbound API for the upper platforms: /api/v1/sync/inbound/volunteers and
/service-records. Auth: ``Authorization: Bearer <XINFENG_SYNC_<TARGET>_INBOUND_TOKEN>``
(the token names the platform); every push carries an ``Idempotency-Key`` header."""

import hmac
from decimal import Decimal

from django.http import JsonResponse
from ninja import Router, Schema
from ninja.security import APIKeyHeader

from xinfeng.core.schema import BirthDate, RecordDateTime

from . import conf
from .services import inbound


class InboundToken(APIKeyHeader):
    """The platform's inbound token from the environment (not a user's API token)."""

    param_name = "Authorization"

    def authenticate(self, request, key):
        if not key or not key.startswith("Bearer "):
            return None
        presented = key[7:].strip().encode()
        for t in conf.all_targets():
            if t.inbound_token and hmac.compare_digest(presented, t.inbound_token.encode()):
                return t.name
        return None


router = Router(tags=["sync"], auth=InboundToken())


class VolunteerIn(Schema):
    external_id: str = ""
    volunteer_number: str = ""
    name: str = ""
    id_type: str = "resident_id"
    id_number: str = ""
    phone: str = ""
    gender: str = ""
    birth_date: BirthDate | None = None
    region_code: str = ""


class ServiceRecordIn(Schema):
    external_id: str
    volunteer_number: str = ""
    volunteer_external_id: str = ""
    started_at: RecordDateTime
    ended_at: RecordDateTime
    hours: Decimal | None = None
    description: str = ""
    region_code: str = ""


def _answer(status, body):
    return JsonResponse(body, status=status)


@router.post("/inbound/volunteers", summary="An upper platform pushes a volunteer down")
def push_volunteer(request, payload: VolunteerIn):
    key = request.headers.get("Idempotency-Key", "")
    return _answer(
        *inbound.once(
            request.auth,
            key,
            "volunteers",
            lambda: inbound.volunteer_push(source=request.auth, data=payload.dict()),
        )
    )


@router.post("/inbound/service-records", summary="An upper platform pushes a service record down")
def push_service_record(request, payload: ServiceRecordIn):
    key = request.headers.get("Idempotency-Key", "")
    return _answer(
        *inbound.once(
            request.auth,
            key,
            "service-records",
            lambda: inbound.service_record_push(source=request.auth, data=payload.dict()),
        )
    )
