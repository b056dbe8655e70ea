"""Our canonical shape of each synced record, taken when it changes (the payload of an
outbox row). Target adapters map these to their own fields at send time; this module is the
only place that reads the source models for sync. ID numbers and phones never leave here:
a volunteer is known upstream by the volunteer number."""

from decimal import Decimal


def _code(region) -> str:
    return getattr(region, "code", "") if region is not None else ""


def _iso(value):
    return value.isoformat() if value is not None else None


def _hours(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01"))) if value is not None else None


def volunteer(v) -> dict:
    return {
        "id": v.pk,
        "number": v.number,
        "name": v.name,
        "gender": v.gender,
        "birth_date": _iso(v.birth_date),
        "political_status": v.political_status,
        "region_code": _code(v.home_region),
        "skills": list(v.skills or []),
        "registration_channel": v.registration_channel,
        "is_active": v.is_active,
        "registered_at": _iso(v.created_at),
    }


def team(t) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "team_type": t.team_type,
        "parent_id": t.parent_id,
        "region_code": _code(t.region),
        "service_categories": list(t.service_categories or []),
        "is_active": t.is_active,
    }


def project(p) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "category": p.category,
        "summary": p.summary,
        "region_code": _code(p.region),
        "site_id": p.site_id,
        "status": p.status,
        "is_provincial_demo": p.is_provincial_demo,
    }


def service_record(r) -> dict:
    return {
        "id": r.pk,
        "volunteer_number": r.volunteer.number,
        "team_id": r.team_id,
        "region_code": _code(r.region),
        "source_type": r.source_type,
        "source_id": r.source_id,
        "description": r.description,
        "started_at": _iso(r.started_at),
        "ended_at": _iso(r.ended_at),
        "hours": _hours(r.hours),
        "verification": r.verification,
        "is_backfill": r.is_backfill,
        "corrects_id": r.corrects_id,
        "recorded_at": _iso(r.created_at),
    }


def order_event(e) -> dict:
    o = e.order
    return {
        "event_id": e.pk,
        "action": e.action,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "at": _iso(e.at),
        "team_id": e.team_id,
        "reason": e.reason,
        "order": {
            "id": o.pk,
            "title": o.title,
            "category": o.category,
            "channel": o.channel,
            "project_id": o.project_id,
            "region_code": _code(o.region),
            "state": o.state,
            "team_id": o.team_id,
            "submitted_at": _iso(o.submitted_at),
            "dispatched_at": _iso(o.dispatched_at),
            "accepted_at": _iso(o.accepted_at),
            "completed_at": _iso(o.completed_at),
            "rated_at": _iso(o.rated_at),
            "rating_level": o.rating_level,
            "people_served": o.people_served,
        },
    }


def certificate(c) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "volunteer_number": c.volunteer_number,
        "issuer_name": c.issuer_name,
        "region_code": _code(c.region),
        "period_start": _iso(c.period_start),
        "period_end": _iso(c.period_end),
        "hours": _hours(c.hours),
        "record_count": c.record_count,
        "issued_at": _iso(c.issued_at),
        "revoked_at": _iso(c.revoked_at),
        "revoke_reason": c.revoke_reason,
    }


def deleted(entity_id: int, **extra) -> dict:
    return {"id": entity_id, **extra}
