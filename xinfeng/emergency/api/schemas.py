"""Request and response shapes of the emergency API."""

from datetime import datetime

from ninja import Field, Schema

from xinfeng.core.schema import LocalTime, PlanDateTime
from xinfeng.volunteers.choices import ServiceCategory

from ..choices import Answer, CheckinMethod, EmergencySkill, IncidentKind


class IncidentIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    kind: IncidentKind
    level: int = Field(..., ge=1, le=4, description="1 = I (highest) … 4 = IV")
    region_id: int
    affected_region_ids: list[int] = Field(..., min_length=1, max_length=200)
    is_exercise: bool = False
    description: str = Field("", max_length=5000)


class EmergencyEventOut(Schema):
    action: str
    note: str
    actor: str | None
    created_at: datetime


class IncidentOut(Schema):
    id: int
    title: str
    kind: str
    level: int
    region_id: int
    affected_region_ids: list[int]
    is_exercise: bool
    status: str
    declared_at: datetime
    closed_at: datetime | None


class IncidentDetail(IncidentOut):
    events: list[EmergencyEventOut]


class IncidentPage(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


class NoteIn(Schema):
    note: str = Field("", max_length=300)


class LevelIn(Schema):
    level: int = Field(..., ge=1, le=4)
    note: str = Field("", max_length=200)


class NoticeIn(Schema):
    headline: str = Field(..., min_length=1, max_length=160)
    description: str = Field(..., min_length=1, max_length=5000)
    instruction: str = Field("", max_length=2000)


class NoticeOut(Schema):
    id: int
    identifier: str
    headline: str
    cap_url: str


class CalloutIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    message: str = Field("", max_length=300)
    risky: bool = True
    team_ids: list[int] = Field(default_factory=list, max_length=200)
    skills: list[EmergencySkill] = Field(default_factory=list, max_length=20)
    region_ids: list[int] = Field(default_factory=list, max_length=200)
    standby_only: bool = False
    within_km: float | None = Field(None, gt=0, le=1000)
    include_returnees: bool = True
    wave: int | None = Field(None, ge=1, le=100000)
    escalate_after_minutes: int = Field(15, ge=1, le=1440)


class CalloutOut(Schema):
    id: int
    incident_id: int
    title: str
    status: str
    wave: int
    recipients: int
    left_out: dict


class BoardRow(Schema):
    team_id: int | None
    team: str
    sent: int
    coming: int
    declined: int
    later: int
    no_answer: int
    arrived: int
    queued: int


class BoardOut(Schema):
    callout_id: int
    open: bool
    total: dict[str, int]
    teams: list[BoardRow]


class AnswerIn(Schema):
    answer: Answer


class AnswerOut(Schema):
    state: str
    callout_open: bool


class NeedIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    region_id: int
    places: int = Field(..., ge=1, le=10000)
    place: str = Field("", max_length=120)
    risky: bool = False


class NeedOut(Schema):
    id: int
    incident_id: int
    title: str
    places: int
    taken: int
    status: str


class CommitIn(Schema):
    team_id: int | None = None
    count: int = Field(1, ge=1, le=10000)


class StationIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    region_id: int
    address: str = Field("", max_length=255)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class StationOut(Schema):
    id: int
    incident_id: int
    site_id: int
    name: str
    opened_at: datetime
    closed_at: datetime | None


class StationCheckIn(Schema):
    volunteer_id: int | None = Field(None, description="staff check-in of another volunteer")
    method: CheckinMethod = CheckinMethod.QR
    token: str = Field("", max_length=64)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class ShiftOut(Schema):
    id: int
    station_id: int
    volunteer_id: int
    checked_in_at: datetime
    checked_out_at: datetime | None
    hours: float | None


class ServiceIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    category: str = Field(..., max_length=20)
    starts_at: PlanDateTime
    ends_at: PlanDateTime
    capacity: int = Field(..., ge=1, le=10000)


class StationProjectIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    category: ServiceCategory
    summary: str = Field("", max_length=200)


class SitrepIn(Schema):
    text: str = Field("", max_length=5000)


class SitrepOut(Schema):
    id: int
    incident_id: int
    number: int
    figures: dict
    text: str
    created_at: datetime


class StandbyShiftIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    weekdays: list[int] = Field(..., min_length=1, max_length=7)
    start_time: LocalTime
    end_time: LocalTime
    member_ids: list[int] = Field(default_factory=list, max_length=500)


class StandbyShiftOut(Schema):
    id: int
    team_id: int
    name: str
    weekdays: list[int]
    start_time: LocalTime
    end_time: LocalTime
    member_ids: list[int]


class RosterOut(Schema):
    team_id: int
    shifts: list[StandbyShiftOut]
    on_standby_now: list[int]


class UnavailabilityIn(Schema):
    volunteer_id: int | None = None
    starts_at: PlanDateTime
    ends_at: PlanDateTime
    reason: str = Field("", max_length=100)


class EmergencyProfileIn(Schema):
    skills: list[EmergencySkill] | None = Field(None, max_length=20)
    home_village_id: int | None = None


class ProfileOut(Schema):
    volunteer_id: int
    skills: list[str]
    home_village_id: int | None
