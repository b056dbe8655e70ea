"""API schemas of the volunteers app. Phones leave the server masked; ID numbers never."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from xinfeng.core.schema import BirthDate, PatchSchema, RecordDate, RecordDateTime
from xinfeng.volunteers.choices import (
    Gender,
    IdType,
    MembershipRole,
    PoliticalStatus,
    ServiceCategory,
    ServiceSource,
    TeamType,
)
from xinfeng.volunteers.policy import volunteer_may_take_risky_work
from xinfeng.volunteers.presenters import masked_contacts


class VolunteerOut(Schema):
    id: int
    number: str
    name: str
    gender: str
    age: int | None
    phone_masked: str
    home_region_id: int
    home_region_name: str = Field(..., alias="home_region.name")
    political_status: str
    is_party_member: bool
    skills: list[str]
    availability: str
    total_hours: Decimal
    star_level: int
    points_balance: int
    is_active: bool
    is_minor: bool
    may_take_risky_work: bool
    registration_channel: str
    created_at: datetime

    @staticmethod
    def resolve_age(obj):
        return obj.age_on()

    @staticmethod
    def resolve_phone_masked(obj):
        return masked_contacts(obj)["phone"]

    @staticmethod
    def resolve_may_take_risky_work(obj):
        return volunteer_may_take_risky_work(obj)


class VolunteerDetailOut(VolunteerOut):
    id_type: str
    birth_date: date | None
    emergency_contact_name: str
    emergency_contact_phone_masked: str
    guardian_name: str
    guardian_consented_at: datetime | None
    privacy_notice_version: str
    privacy_consented_at: datetime | None
    location_consented_at: datetime | None
    service_region_ids: list[int]

    @staticmethod
    def resolve_emergency_contact_phone_masked(obj):
        return masked_contacts(obj)["emergency_contact_phone"]

    @staticmethod
    def resolve_service_region_ids(obj):
        return [r.pk for r in obj.service_regions.all()]


class VolunteerPage(Schema):
    items: list[VolunteerOut]
    next_cursor: str | None


class RegisterIn(Schema):
    name: str = Field(..., max_length=50)
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field(..., max_length=40)
    phone: str = Field(..., max_length=20)
    home_region_id: int
    birth_date: BirthDate | None = None
    gender: Gender | None = None
    service_region_ids: list[int] = []
    skills: list[str] = []
    availability: str = Field("", max_length=200)
    political_status: PoliticalStatus = PoliticalStatus.MASSES
    emergency_contact_name: str = Field("", max_length=50)
    emergency_contact_phone: str = Field("", max_length=20)
    privacy_notice_version: str = Field("", max_length=20)
    location_consent: bool = False
    guardian_name: str = Field("", max_length=50)
    guardian_phone: str = Field("", max_length=20)
    guardian_consent: bool = False


class SelfRegisterIn(RegisterIn):
    """Self-registration by the signed-in person (the same fields as staff registration)."""


class VolunteerPatch(PatchSchema):
    phone: str | None = Field(None, max_length=20)
    skills: list[str] | None = None
    service_region_ids: list[int] | None = None
    availability: str | None = Field(None, max_length=200)
    political_status: PoliticalStatus | None = None
    emergency_contact_name: str | None = Field(None, max_length=50)
    emergency_contact_phone: str | None = Field(None, max_length=20)
    name: str | None = Field(None, max_length=50)
    home_region_id: int | None = None
    is_active: bool | None = None


class VolunteerConsentIn(Schema):
    location: bool | None = None
    privacy_notice_version: str | None = Field(None, max_length=20)


class RevealIn(Schema):
    field: str = Field(..., description="phone, emergency_contact_phone, guardian_phone, id_number")


class RevealOut(Schema):
    field: str
    value: str


class GuardianConsentIn(Schema):
    guardian_name: str = Field(..., max_length=50)
    guardian_phone: str = Field(..., max_length=20)


class PointsAdjustIn(Schema):
    delta: int = Field(..., ge=-100000, le=100000)
    reason: str = Field(..., max_length=200)


class PointsEntryOut(Schema):
    id: int
    kind: str
    delta: int
    balance_after: int
    service_record_id: int | None
    redemption_id: int | None
    reason: str
    created_at: datetime


class PointsPage(Schema):
    items: list[PointsEntryOut]
    next_cursor: str | None


class TeamOut(Schema):
    id: int
    name: str
    team_type: TeamType
    parent_id: int | None
    home_site_id: int
    home_site_name: str = Field(..., alias="home_site.name")
    region_id: int
    service_categories: list[str]
    description: str
    capacity: int
    standby_24h: bool
    is_active: bool
    member_count: int = 0
    latitude: float | None
    longitude: float | None


class TeamPage(Schema):
    items: list[TeamOut]
    next_cursor: str | None


class TeamIn(Schema):
    name: str = Field(..., min_length=2, max_length=120)
    team_type: TeamType
    home_site_id: int
    parent_id: int | None = None
    service_categories: list[ServiceCategory] = []
    description: str = Field("", max_length=2000)
    capacity: int = Field(3, ge=1, le=1000)
    standby_24h: bool = False


class TeamPatch(PatchSchema):
    name: str | None = Field(None, min_length=2, max_length=120)
    team_type: TeamType | None = None
    home_site_id: int | None = None
    parent_id: int | None = None
    service_categories: list[ServiceCategory] | None = None
    description: str | None = Field(None, max_length=2000)
    capacity: int | None = Field(None, ge=1, le=1000)
    standby_24h: bool | None = None
    is_active: bool | None = None


class MembershipOut(Schema):
    id: int
    team_id: int
    volunteer_id: int
    volunteer_number: str = Field(..., alias="volunteer.number")
    volunteer_name: str
    role: str
    status: str
    message: str
    requested_at: datetime
    joined_at: datetime | None
    left_at: datetime | None

    @staticmethod
    def resolve_volunteer_name(obj):
        return obj.volunteer.name


class MembershipPage(Schema):
    items: list[MembershipOut]
    next_cursor: str | None


class JoinIn(Schema):
    message: str = Field("", max_length=200)


class AddMemberIn(Schema):
    volunteer_id: int
    role: MembershipRole = MembershipRole.MEMBER


class RoleIn(Schema):
    role: MembershipRole


class RecordOut(Schema):
    id: int
    volunteer_id: int
    volunteer_number: str = Field(..., alias="volunteer.number")
    team_id: int | None
    region_id: int
    source_type: str
    source_id: int | None
    description: str
    started_at: datetime
    ended_at: datetime
    hours: Decimal
    verification: str
    verified_by_id: int | None
    is_backfill: bool
    corrects_id: int | None
    created_at: datetime


class RecordPage(Schema):
    items: list[RecordOut]
    next_cursor: str | None


class BackfillIn(Schema):
    volunteer_id: int
    region_id: int
    team_id: int | None = None
    started_at: RecordDateTime
    ended_at: RecordDateTime
    hours: Decimal | None = Field(None, description="defaults to end − start; travel excluded")
    description: str = Field(..., max_length=200)
    source_type: ServiceSource = ServiceSource.OTHER
    source_id: int | None = None
    max_hours: Decimal | None = None


class CorrectIn(Schema):
    hours: Decimal = Field(..., description="the corrected hours of the original record")
    reason: str = Field(..., max_length=200)
    started_at: RecordDateTime | None = None
    ended_at: RecordDateTime | None = None


class RewardOut(Schema):
    id: int
    site_id: int
    site_name: str = Field(..., alias="site.name")
    name: str
    description: str
    points_cost: int
    stock: int
    is_active: bool


class RewardPage(Schema):
    items: list[RewardOut]
    next_cursor: str | None


class RewardIn(Schema):
    site_id: int
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=300)
    points_cost: int = Field(..., ge=1, le=1_000_000)
    stock: int = Field(0, ge=0, le=1_000_000)


class RewardPatch(PatchSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=300)
    points_cost: int | None = Field(None, ge=1, le=1_000_000)
    is_active: bool | None = None


class RestockIn(Schema):
    delta: int = Field(..., ge=-1_000_000, le=1_000_000)


class RedeemIn(Schema):
    quantity: int = Field(1, ge=1, le=10)
    volunteer_id: int | None = Field(None, description="staff at the counter only")


class RedemptionOut(Schema):
    id: int
    volunteer_id: int
    volunteer_number: str = Field(..., alias="volunteer.number")
    reward_id: int
    reward_name: str = Field(..., alias="reward.name")
    site_id: int
    quantity: int
    points: int
    status: str
    pickup_code: str
    created_at: datetime
    closed_at: datetime | None
    cancel_reason: str


class RedemptionPage(Schema):
    items: list[RedemptionOut]
    next_cursor: str | None


class DeliverIn(Schema):
    pickup_code: str | None = Field(None, max_length=6)


class VolunteerReasonIn(Schema):
    reason: str = Field("", max_length=200)


class CertificateIn(Schema):
    volunteer_id: int
    site_id: int
    period_start: RecordDate | None = None
    period_end: RecordDate | None = None


class CertificateOut(Schema):
    id: int
    number: str
    volunteer_id: int
    volunteer_number: str
    volunteer_name: str
    issuer_site_id: int
    issuer_name: str
    period_start: date | None
    period_end: date
    hours: Decimal
    record_count: int
    summary: str
    issued_at: datetime
    revoked_at: datetime | None
    revoke_reason: str
    verify_path: str

    @staticmethod
    def resolve_verify_path(obj):
        from xinfeng.volunteers.services.certificates import verify_path

        return verify_path(obj.number)


class CertificatePage(Schema):
    items: list[CertificateOut]
    next_cursor: str | None


class VerifyOut(Schema):
    number: str
    status: str
    volunteer_name: str
    volunteer_number: str
    issuer_name: str
    period_start: date | None
    period_end: date
    hours: Decimal
    record_count: int
    issued_at: datetime
    revoked_at: datetime | None
    revoke_reason: str


class ImportOut(Schema):
    id: int
    region_id: int
    file_name: str
    status: str
    total_rows: int
    processed_rows: int
    percent: int
    created_count: int
    rejected_count: int
    error: str
    created_at: datetime
    finished_at: datetime | None


class ImportPage(Schema):
    items: list[ImportOut]
    next_cursor: str | None
