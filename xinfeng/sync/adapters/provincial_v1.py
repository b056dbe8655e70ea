"""省新时代文明实践志愿服务平台 — contract v1 (docs/sync.md, "Provincial platform").

JSON over HTTPS, ``Authorization: Bearer <XINFENG_SYNC_PROVINCIAL_TOKEN>``, one
``Idempotency-Key`` per row. Our ids are the external ids (``external_id``); the platform
answers its own id as ``id``. The 四单 loop (点单 → 派单 → 接单 → 评单) is sent as the
order's events in the order they happened."""

from xinfeng.sync.choices import Entity

from .base import Request, ack_from

NAME = "provincial"
VERSION = "provincial-1"
ENTITIES = {
    Entity.VOLUNTEER,
    Entity.TEAM,
    Entity.PROJECT,
    Entity.SERVICE_RECORD,
    Entity.ORDER,
    Entity.CERTIFICATE,
}
BATCH_PATH = "/v1/batch"
SOURCE = "xinfeng"

# Our order actions → the stage of the 四单 loop the platform shows.
ORDER_STAGES = {
    "submit": "order",  # 点单
    "approve": "review",
    "reject": "review",
    "open": "dispatch",
    "dispatch": "dispatch",  # 派单
    "grab": "accept",
    "accept": "accept",  # 接单
    "decline": "dispatch",
    "timeout": "dispatch",
    "start": "service",
    "complete": "service",
    "rate": "rating",  # 评单
    "auto_rate": "rating",
    "cancel": "closed",
    "escalate": "escalate",
}

COLLECTIONS = {
    Entity.VOLUNTEER: "volunteers",
    Entity.TEAM: "teams",
    Entity.PROJECT: "projects",
    Entity.SERVICE_RECORD: "service-records",
    Entity.CERTIFICATE: "certificates",
}


def _volunteer(p: dict) -> dict:
    return {
        "external_id": p["number"],
        "name": p["name"],
        "gender": p["gender"],
        "birth_date": p["birth_date"],
        "political_status": p["political_status"],
        "area_code": p["region_code"],
        "skills": p["skills"],
        "active": p["is_active"],
        "registered_at": p["registered_at"],
    }


def _team(p: dict) -> dict:
    return {
        "external_id": str(p["id"]),
        "name": p["name"],
        "type": p["team_type"],
        "parent_external_id": str(p["parent_id"]) if p["parent_id"] else None,
        "area_code": p["region_code"],
        "service_categories": p["service_categories"],
        "active": p["is_active"],
    }


def _project(p: dict) -> dict:
    return {
        "external_id": str(p["id"]),
        "name": p["name"],
        "category": p["category"],
        "summary": p["summary"],
        "area_code": p["region_code"],
        "status": p["status"],
        "provincial_demo": p["is_provincial_demo"],
    }


def _service_record(p: dict) -> dict:
    return {
        "external_id": str(p["id"]),
        "volunteer_external_id": p["volunteer_number"],
        "team_external_id": str(p["team_id"]) if p["team_id"] else None,
        "area_code": p["region_code"],
        "source": p["source_type"],
        "source_external_id": str(p["source_id"]) if p["source_id"] else None,
        "content": p["description"],
        "started_at": p["started_at"],
        "ended_at": p["ended_at"],
        "hours": p["hours"],
        "verification": p["verification"],
        "backfill": p["is_backfill"],
        "corrects_external_id": str(p["corrects_id"]) if p["corrects_id"] else None,
    }


def _certificate(p: dict) -> dict:
    return {
        "external_id": p["number"],
        "volunteer_external_id": p["volunteer_number"],
        "issuer": p["issuer_name"],
        "area_code": p["region_code"],
        "period_start": p["period_start"],
        "period_end": p["period_end"],
        "hours": p["hours"],
        "record_count": p["record_count"],
        "issued_at": p["issued_at"],
        "revoked_at": p["revoked_at"],
        "revoke_reason": p["revoke_reason"],
    }


MAPPERS = {
    Entity.VOLUNTEER: _volunteer,
    Entity.TEAM: _team,
    Entity.PROJECT: _project,
    Entity.SERVICE_RECORD: _service_record,
    Entity.CERTIFICATE: _certificate,
}


def _order_event(p: dict) -> dict:
    o = p["order"]
    action = p["action"]
    return {
        "external_id": str(o["id"]),
        "event_external_id": str(p["event_id"]),
        "stage": ORDER_STAGES.get(action, "status"),
        "action": action,
        "from_state": p["from_state"],
        "to_state": p["to_state"],
        "at": p["at"],
        "team_external_id": str(p["team_id"]) if p["team_id"] else None,
        "reason": p["reason"],
        "order": {
            "title": o["title"],
            "category": o["category"],
            "channel": o["channel"],
            "project_external_id": str(o["project_id"]) if o["project_id"] else None,
            "area_code": o["region_code"],
            "state": o["state"],
            "rating_level": o["rating_level"],
            "people_served": o["people_served"],
        },
    }


def request(row) -> Request:
    entity, event, p = row.entity_type, row.event, row.payload
    if entity == Entity.ORDER:
        return Request(
            "POST",
            f"/v1/orders/{p['order']['id']}/events",
            {"source": SOURCE, **_order_event(p)},
        )
    collection = COLLECTIONS[entity]
    if event == "deleted":
        key = p.get("number") or str(p["id"])
        return Request("DELETE", f"/v1/{collection}/{key}", {"source": SOURCE, "op": "delete"})
    body = MAPPERS[entity](p)
    return Request("POST", f"/v1/{collection}", {"source": SOURCE, "op": event, **body})


def ack_ref(answer: dict) -> str:
    return ack_from(answer, "id")
