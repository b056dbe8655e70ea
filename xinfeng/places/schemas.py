"""API schemas of places (input and output)."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from xinfeng.core.masking import mask_phone
from xinfeng.core.schema import DbId, LocalTime, PatchSchema, PlanDateTime

from .choices import Department, Facility, PointKind, SiteLevel, VenueUse


def _unique(cls, members):
    return None if members is None else list(dict.fromkeys(members))


class InSchema(Schema):
    """Input: choices arrive as their plain string values (stored as such in JSON fields)."""

    model_config = ConfigDict(use_enum_values=True)


class RegionOut(Schema):
    id: int
    code: str | None
    name: str
    level: str
    parent_id: int | None
    depth: int
    population: int | None
    latitude: float | None
    longitude: float | None


class RegionPage(Schema):
    items: list[RegionOut]
    next_cursor: str | None


class SiteOut(Schema):
    id: int
    name: str
    level: str
    level_label: str = Field(..., alias="get_level_display")
    point_kind: str
    region_id: int
    region_name: str = Field(..., alias="region.name")
    parent_id: int | None
    host_unit: str
    address: str
    latitude: float | None
    longitude: float | None
    opening_hours: str
    phone: str
    responsible_title: str
    facilities: list[str]
    guiding_departments: list[str]
    is_complex: bool
    active_from: datetime | None
    active_until: datetime | None
    is_open: bool


class SitePage(Schema):
    items: list[SiteOut]
    next_cursor: str | None


class UserBrief(Schema):
    """A person as staff see them: name and masked phone."""

    id: int
    name: str
    phone_masked: str

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)


class SiteStaffOut(SiteOut):
    """A site with what only staff in scope see: the responsible person and operators."""

    responsible_name: str
    responsible_user: UserBrief | None
    operators: list[UserBrief]
    venue_count: int

    @staticmethod
    def resolve_operators(obj) -> list:
        return list(obj.operators.all())


class SiteStaffPage(Schema):
    items: list[SiteStaffOut]
    next_cursor: str | None


class SiteIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    level: SiteLevel
    region_id: DbId | None = Field(None, description="the region's id, or give region_code")
    region_code: str | None = Field(
        None, description="12-digit statistical division code, instead of region_id"
    )
    point_kind: PointKind = PointKind.GENERAL
    parent_id: DbId | None = None
    host_unit: str = Field("", max_length=120)
    address: str = Field("", max_length=255)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    opening_hours: str = Field("", max_length=200)
    phone: str = Field("", max_length=30)
    description: str = Field("", max_length=5000)
    responsible_name: str = Field("", max_length=50)
    responsible_title: str = Field("", max_length=80)
    facilities: list[Facility] = []
    guiding_departments: list[Department] = []
    is_complex: bool = False
    active_from: PlanDateTime | None = None
    active_until: PlanDateTime | None = None

    unique_choices = field_validator("facilities", "guiding_departments")(classmethod(_unique))


class SitePatch(PatchSchema, InSchema):
    nullable = frozenset(
        {"parent_id", "latitude", "longitude", "responsible_user_id", "active_from", "active_until"}
    )

    name: str | None = Field(None, min_length=1, max_length=120)
    point_kind: PointKind | None = None
    parent_id: DbId | None = None
    host_unit: str | None = Field(None, max_length=120)
    address: str | None = Field(None, max_length=255)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    opening_hours: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=30)
    description: str | None = Field(None, max_length=5000)
    responsible_name: str | None = Field(None, max_length=50)
    responsible_title: str | None = Field(None, max_length=80)
    responsible_user_id: DbId | None = None
    facilities: list[Facility] | None = None
    guiding_departments: list[Department] | None = None
    is_complex: bool | None = None
    active_from: PlanDateTime | None = None
    active_until: PlanDateTime | None = None

    unique_choices = field_validator("facilities", "guiding_departments")(classmethod(_unique))


class OperatorIn(InSchema):
    identifier: str = Field(..., min_length=1, max_length=150, description="username or phone")


class VenueOut(Schema):
    id: int
    site_id: int
    name: str
    uses: list[str]
    capacity: int
    opens_at: LocalTime | None
    closes_at: LocalTime | None
    description: str
    is_active: bool


class VenuePage(Schema):
    items: list[VenueOut]
    next_cursor: str | None


class VenueIn(InSchema):
    name: str = Field(..., min_length=1, max_length=100)
    uses: list[VenueUse] = []
    capacity: int = Field(..., ge=1, le=100000)
    opens_at: LocalTime | None = None
    closes_at: LocalTime | None = None
    description: str = Field("", max_length=5000)
    is_active: bool = True

    unique_uses = field_validator("uses")(classmethod(_unique))


class VenuePatch(PatchSchema, InSchema):
    nullable = frozenset({"opens_at", "closes_at"})

    name: str | None = Field(None, min_length=1, max_length=100)
    uses: list[VenueUse] | None = None
    capacity: int | None = Field(None, ge=1, le=100000)
    opens_at: LocalTime | None = None
    closes_at: LocalTime | None = None
    description: str | None = Field(None, max_length=5000)
    is_active: bool | None = None

    unique_uses = field_validator("uses")(classmethod(_unique))
