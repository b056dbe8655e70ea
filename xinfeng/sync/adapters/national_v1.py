"""全国志愿服务信息系统 — contract v1 (docs/sync.md, "National volunteer system").

Records kept in a county system are entered into the system the Ministry of Civil Affairs
designates (志愿服务记录与证明出具办法, 2021). A volunteer is identified by the volunteer
number, never the ID number; hours are decimal numbers with two places. Orders are not
reported nationally (they are a provincial 四单 matter)."""

from xinfeng.sync.choices import Entity

from .base import Request, ack_from, decimal_hours

NAME = "national"
VERSION = "national-1"
ENTITIES = {
    Entity.VOLUNTEER,
    Entity.TEAM,
    Entity.PROJECT,
    Entity.SERVICE_RECORD,
    Entity.CERTIFICATE,
}
BATCH_PATH = "/api/batch"
GENDER = {"male": "1", "female": "2"}
POLITICAL = {
    "party_member": "01",
    "probationary": "02",
    "league_member": "03",
    "masses": "13",
    "other": "12",
}


def _volunteer(p: dict) -> dict:
    return {
        "volunteerNo": p["number"],
        "name": p["name"],
        "gender": GENDER.get(p["gender"], "0"),
        "birthDate": p["birth_date"],
        "politicalStatus": POLITICAL.get(p["political_status"], "12"),
        "areaCode": p["region_code"],
        "skills": p["skills"],
        "status": "1" if p["is_active"] else "0",
        "registerTime": p["registered_at"],
    }


def _team(p: dict) -> dict:
    return {
        "orgNo": f"XF-T{p['id']}",
        "name": p["name"],
        "orgType": p["team_type"],
        "parentOrgNo": f"XF-T{p['parent_id']}" if p["parent_id"] else "",
        "areaCode": p["region_code"],
        "serviceFields": p["service_categories"],
        "status": "1" if p["is_active"] else "0",
    }


def _project(p: dict) -> dict:
    return {
        "projectNo": f"XF-P{p['id']}",
        "name": p["name"],
        "serviceField": p["category"],
        "summary": p["summary"],
        "areaCode": p["region_code"],
        "status": p["status"],
    }


def _service_record(p: dict) -> dict:
    # 2021 rules: who (volunteer number), what (content), when (start, end), how long
    # (hours), where (area), who recorded it and how it was verified; a correction names
    # the record it corrects instead of editing it.
    return {
        "recordNo": f"XF-R{p['id']}",
        "volunteerNo": p["volunteer_number"],
        "serviceContent": p["description"],
        "serviceStart": p["started_at"],
        "serviceEnd": p["ended_at"],
        "serviceHours": decimal_hours(p["hours"]),
        "areaCode": p["region_code"],
        "orgNo": f"XF-T{p['team_id']}" if p["team_id"] else "",
        "verifyMethod": p["verification"],
        "isSupplement": bool(p["is_backfill"]),
        "correctsRecordNo": f"XF-R{p['corrects_id']}" if p["corrects_id"] else "",
        "recordTime": p["recorded_at"],
    }


def _certificate(p: dict) -> dict:
    return {
        "certNo": p["number"],
        "volunteerNo": p["volunteer_number"],
        "issuer": p["issuer_name"],
        "areaCode": p["region_code"],
        "periodStart": p["period_start"],
        "periodEnd": p["period_end"],
        "totalHours": decimal_hours(p["hours"]),
        "serviceCount": p["record_count"],
        "issueTime": p["issued_at"],
        "revoked": p["revoked_at"] is not None,
        "revokeReason": p["revoke_reason"],
    }


PATHS = {
    Entity.VOLUNTEER: ("/api/volunteers", _volunteer),
    Entity.TEAM: ("/api/organizations", _team),
    Entity.PROJECT: ("/api/projects", _project),
    Entity.SERVICE_RECORD: ("/api/service-records", _service_record),
    Entity.CERTIFICATE: ("/api/certificates", _certificate),
}


def request(row) -> Request:
    path, mapper = PATHS[row.entity_type]
    if row.event == "deleted":
        return Request(
            "POST", f"{path}/delete", {"id": row.payload.get("number") or row.payload["id"]}
        )
    return Request("POST", path, {"event": row.event, **mapper(row.payload)})


def ack_ref(answer: dict) -> str:
    return ack_from(answer, "recordId", "id")
