"""API schemas of the order workflow (input and output)."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import BaseModel

from xinfeng.core.masking import mask_name, mask_phone
from xinfeng.core.schema import PlanDateTime

from .choices import OrderChannel, OrderState


class OrderIn(Schema):
    project_id: int | None = None
    title: str = Field("", max_length=120)
    description: str = Field("", max_length=2000)
    category: str = Field("", max_length=20)
    region_id: int
    address: str = Field("", max_length=255)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    wanted_from: PlanDateTime | None = None
    wanted_until: PlanDateTime | None = None
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    beneficiary_age: int | None = Field(None, ge=0, le=150)
    channel: OrderChannel = OrderChannel.RESIDENT
    on_behalf_of_id: int | None = None
    site_id: int | None = None
    open_for_grab: bool = False
    idempotency_key: str | None = Field(None, max_length=64)


class OrderSummary(BaseModel):
    """A list row. Plain pydantic, validated from the dicts ``summary_rows`` builds: passing
    model instances through ninja's per-attribute getter cost ~45% of a list request."""

    id: int
    title: str
    state: OrderState
    state_label: str
    category: str
    channel: str
    project_id: int | None
    project_name: str | None
    region_id: int
    region_name: str
    address: str
    site_id: int
    site_name: str
    team_id: int | None
    team_name: str | None
    is_open: bool
    contact_name: str
    contact_phone: str
    wanted_from: datetime | None
    wanted_until: datetime | None
    submitted_at: datetime
    reviewed_at: datetime | None
    dispatched_at: datetime | None
    accepted_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    rated_at: datetime | None
    due_at: datetime | None
    escalation_level: int
    rating_level: int | None
    rating_is_auto: bool


class OrderBase(OrderSummary, Schema):
    """The list row's fields as a ninja schema, for the detail to extend."""


def summary_rows(rows: list[dict]) -> list[dict]:
    """``values()`` rows of ``selectors.LIST_FIELDS`` as list rows: names resolved from the
    joined rows, contact details masked, the state's label in the active language."""
    labels = {value: str(label) for value, label in OrderState.choices}
    out = []
    for row in rows:
        row = dict(row)
        row["state_label"] = labels.get(row["state"], row["state"])
        row["region_name"] = row.pop("region__name")
        row["site_name"] = row.pop("site__name")
        row["team_name"] = row.pop("team__name")
        row["project_name"] = row.pop("project__name")
        row["contact_name"] = mask_name(row["contact_name"])
        row["contact_phone"] = mask_phone(row["contact_phone"])
        out.append(row)
    return out


class OrderPage(Schema):
    items: list[OrderSummary]
    next_cursor: str | None


class AssignmentOut(Schema):
    volunteer_id: int
    volunteer_number: str
    volunteer_name: str
    status: str
    invited_at: datetime
    answered_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: Decimal | None = Field(
        None, description="the hours credited on completion (none: not served, or not yet)"
    )


class RatingOut(Schema):
    level: int
    level_label: str
    dimensions: dict
    comment: str
    is_auto: bool
    created_at: datetime
    rater_name: str | None = None


class OrderDetail(OrderBase):
    """One order as the caller may see it (built by ``presenters.present_order``)."""

    description: str
    latitude: float | None
    longitude: float | None
    beneficiary_age: int | None = None
    dispatch_reason: str = Field(
        description="why the team was chosen: a person's words as typed, or the system's "
        "reason (auto-dispatch, grab) in the caller's language"
    )
    dispatch_explanation: str = Field(
        "",
        description="the dispatch engine's sentence about the chosen team, in the "
        "caller's language (delivers the project, distance, area, rating, response time)",
    )
    dispatch_score: dict | list | None
    report: str
    people_served: int | None
    members_needed: int = Field(1, description="members who must confirm before the start")
    review_due_at: datetime | None
    dispatch_due_at: datetime | None
    accept_due_at: datetime | None
    start_due_at: datetime | None
    rate_due_at: datetime | None
    closed_at: datetime | None
    assignments: list[AssignmentOut] = []
    photos: list[str] = []
    rating: RatingOut | None = None
    allowed_actions: list[str] = []


class EventOut(Schema):
    """One timeline row (``presenters.present_event``): a rating's actor only for staff
    and the requester; a reason the system wrote in the caller's language."""

    id: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    to_state_label: str = ""
    actor_name: str | None
    is_system: bool = False
    team_name: str | None
    site_name: str | None
    reason: str
    at: datetime


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class DispatchIn(Schema):
    team_id: int
    reason: str = Field(..., max_length=300)


class MembersIn(Schema):
    member_ids: list[int] = Field(default_factory=list, max_length=50)


class AcceptIn(MembersIn):
    reason: str = Field("", max_length=300)
    members_needed: int | None = Field(
        None, ge=1, le=50, description="how many must confirm before the service can start"
    )


class GrabIn(MembersIn):
    team_id: int | None = None
    members_needed: int | None = Field(None, ge=1, le=50)


class HoursLineIn(Schema):
    """The hours the leader confirms for one member on completion (0 = did not serve)."""

    volunteer_id: int
    hours: Decimal = Field(..., ge=0, le=24, decimal_places=2)
    reason: str = Field("", max_length=200)


class HoursDefaultOut(Schema):
    """One serving member on the completion form: the default from the times and the
    bounds; ``reason`` is required when the figure is far from the default."""

    volunteer_id: int
    volunteer_number: str
    volunteer_name: str
    default: Decimal
    minimum: Decimal
    maximum: Decimal


class CandidateOut(Schema):
    """A member the leader may name: free and skilled ones first."""

    volunteer_id: int
    volunteer_number: str
    volunteer_name: str
    free: bool
    busy_order_id: int | None
    skills: list[str]
    blocked: bool = Field(description="a minor, and the work is risky")


class RateIn(Schema):
    level: int = Field(..., ge=1, le=5)
    dimensions: dict[str, int] = Field(default_factory=dict)
    comment: str = Field("", max_length=500)


class FollowUpOut(Schema):
    id: int
    order_id: int
    order_title: str = Field(..., alias="order.title")
    site_id: int
    site_name: str = Field(..., alias="site.name")
    status: str
    opened_at: datetime
    outcome: str
    resolved: bool
    closed_at: datetime | None


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    next_cursor: str | None


class FollowUpCloseIn(Schema):
    outcome: str = Field(..., max_length=5000)
    resolved: bool = False


class ScoreComponentOut(Schema):
    name: str
    label: str
    value: float
    weight: float
    cost: float


class SuggestionOut(Schema):
    team_id: int
    team_name: str
    rank: int
    total: float
    distance_km: float
    load: int
    capacity: int
    reason: str
    components: list[ScoreComponentOut]


class AutoDispatchRow(Schema):
    order_id: int
    team_id: int | None = None
    reason: str


class AutoDispatchOut(Schema):
    dispatched: list[AutoDispatchRow]
    unassigned: list[AutoDispatchRow]
    failed: list[AutoDispatchRow]
    total_cost: float
    certified: bool
