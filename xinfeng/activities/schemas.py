"""API schemas of activities (input and output)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints

from xinfeng.core.schema import DbId, PatchSchema, PlanDateTime
from xinfeng.volunteers.choices import ServiceCategory

from .choices import CheckMethod, Eligibility, Mode, NewsKind, ViewKind


def _aware(value: datetime) -> datetime:
    """A time without a zone is read as Beijing time (the platform's zone)."""
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_current_timezone())
    return value


Moment = Annotated[PlanDateTime, AfterValidator(_aware)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Text = Annotated[str, StringConstraints(max_length=5000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lng = Annotated[float, Field(ge=-180, le=180)]
Count = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]


class InSchema(Schema):
    model_config = ConfigDict(use_enum_values=True)


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    category: str
    category_label: str = Field(..., alias="get_category_display")
    project_id: int | None
    site_id: int
    site_name: str = Field(..., alias="site.name")
    region_id: int
    venue_id: int | None
    address: str
    place: str = Field(..., alias="place_label")
    latitude: float | None
    longitude: float | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    eligibility: str
    team_id: int | None
    mode: str
    stream_url: str
    replay_url: str
    is_cloud_lecture: bool
    cover_url: str | None
    state: str
    state_label: str = Field(..., alias="get_state_display")
    cancel_reason: str
    signup_count: int
    waitlist_count: int
    places_left: int
    checkin_count: int
    extra_headcount: int
    online_viewers: int
    audience_total: int
    distance_m: int | None = None

    @staticmethod
    def resolve_cover_url(obj) -> str | None:
        return obj.cover.url if obj.cover else None

    @staticmethod
    def resolve_distance_m(obj) -> int | None:
        d = getattr(obj, "distance_m", None)
        return None if d is None else round(d)


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class ActivityIn(InSchema):
    site_id: DbId
    title: Title
    category: ServiceCategory
    starts_at: Moment
    ends_at: Moment
    capacity: Count
    description: Text = ""
    project_id: DbId | None = None
    venue_id: DbId | None = None
    address: Short = ""
    latitude: Lat | None = None
    longitude: Lng | None = None
    eligibility: Eligibility = Eligibility.EVERYONE
    team_id: DbId | None = None
    mode: Mode = Mode.OFFLINE
    stream_url: Url = ""
    replay_url: Url = ""
    is_cloud_lecture: bool = False


class ActivityPatch(PatchSchema, InSchema):
    nullable = frozenset({"project_id", "venue_id", "latitude", "longitude", "team_id"})

    title: Title | None = None
    category: ServiceCategory | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    capacity: Count | None = None
    description: Text | None = None
    project_id: DbId | None = None
    venue_id: DbId | None = None
    address: Short | None = None
    latitude: Lat | None = None
    longitude: Lng | None = None
    eligibility: Eligibility | None = None
    team_id: DbId | None = None
    mode: Mode | None = None
    stream_url: Url | None = None
    replay_url: Url | None = None
    is_cloud_lecture: bool | None = None


class ActivityReasonIn(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class HeadcountIn(Schema):
    headcount: Count


class SignupOut(Schema):
    id: int
    activity_id: int
    user_id: int
    name: str = Field(..., alias="user.name")
    state: str
    state_label: str = Field(..., alias="get_state_display")
    created_at: datetime
    promoted_at: datetime | None
    cancelled_at: datetime | None


class SignupPage(Schema):
    items: list[SignupOut]
    next_cursor: str | None


class ActivityCheckIn(InSchema):
    method: CheckMethod
    token: Annotated[str, StringConstraints(max_length=500)] = ""
    code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    latitude: Lat | None = None
    longitude: Lng | None = None
    location_consent: bool = False
    person_id: DbId | None = Field(None, description="organiser method: whom to check in/out")


class AttendanceOut(Schema):
    id: int
    activity_id: int
    user_id: int
    name: str = Field(..., alias="user.name")
    checked_in_at: datetime
    check_in_method: str
    checked_out_at: datetime | None
    check_out_method: str
    auto_closed: bool
    distance_m: int | None
    service_record_id: int | None


class AttendancePage(Schema):
    items: list[AttendanceOut]
    next_cursor: str | None


class CheckinCodeOut(Schema):
    code: str
    qr_url: str


class ActivityBackfillIn(Schema):
    volunteer_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
    hours: Annotated[Decimal, Field(gt=0, le=1000, max_digits=6, decimal_places=2)] | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class ServiceRecordOut(Schema):
    id: int
    volunteer_id: int
    source_type: str
    source_id: int | None
    started_at: datetime
    ended_at: datetime
    hours: Decimal
    verification: str
    is_backfill: bool


class ViewIn(InSchema):
    kind: ViewKind = ViewKind.LIVE


class ViewOut(Schema):
    counted: bool
    online_viewers: int


class AudienceOut(Schema):
    activities: int
    offline: int
    online: int
    total: int


class AudienceSiteOut(AudienceOut):
    site_id: int
    name: str


class AudienceRegionOut(AudienceOut):
    region_id: int | None = Field(
        description="the child region; null on the last row: the region's own activities "
        "(e.g. 市直), so the rows add up to the total"
    )
    name: str


class AudienceMonthOut(AudienceOut):
    month: str | None = Field(
        description="YYYY-MM; null on a first row holding everything before `since`"
    )


class SiteSettingsOut(Schema):
    site_id: int
    requires_review: bool
    geofence_radius_m: int
    checkin_opens_minutes: int


class SiteSettingsIn(Schema):
    requires_review: bool | None = None
    geofence_radius_m: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    checkin_opens_minutes: Annotated[int, Field(ge=0, le=1_000_000)] | None = None


class BookingOut(Schema):
    id: int
    venue_id: int
    activity_id: int | None
    team_id: int | None
    organisation: str
    title: str
    holder: str
    starts_at: datetime
    ends_at: datetime
    state: str


class BookingIn(InSchema):
    title: Title
    starts_at: Moment
    ends_at: Moment
    team_id: DbId | None = None
    organisation: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class NewsOut(Schema):
    id: int
    site_id: int
    site_name: str = Field(..., alias="site.name")
    kind: str
    title: str
    summary: str
    body: str
    cover_url: str | None
    activity_id: int | None
    published_at: datetime | None

    @staticmethod
    def resolve_cover_url(obj) -> str | None:
        return obj.cover.url if obj.cover else None


class NewsPage(Schema):
    items: list[NewsOut]
    next_cursor: str | None


class NewsIn(InSchema):
    site_id: DbId
    kind: NewsKind = NewsKind.NEWS
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]
    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]
    publish: bool = True


class ReportIn(Schema):
    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]


class PhotoOut(Schema):
    id: int
    url: str
    caption: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.image.url


class ReportOut(Schema):
    activity_id: int
    summary: str
    body: str
    news_id: int | None
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(obj):
        return list(obj.photos.all())
