from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from xinfeng.core.schema import DbId, PlanDate


class PlanIn(Schema):
    region_id: DbId
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=5000)


class ProgressOut(Schema):
    total: int
    done: int
    doing: int
    todo: int
    overdue: int
    percent: int


class PlanOut(Schema):
    id: int
    region_id: int
    region: str
    year: int
    title: str
    summary: str
    site_id: int | None
    may_edit: bool
    progress: ProgressOut | None = None


class PlanPage(Schema):
    items: list[PlanOut]
    next_cursor: str | None


class GoalIn(Schema):
    title: str = Field(min_length=1, max_length=200)


class GoalOut(Schema):
    id: int
    title: str


class PlanDetail(PlanOut):
    goals: list[GoalOut]


class TaskIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    owner_id: DbId
    deadline: PlanDate
    goal_id: DbId | None = None
    description: str = Field("", max_length=5000)


class TaskOut(Schema):
    id: int
    plan_id: int
    goal_id: int | None
    goal: str
    title: str
    description: str
    owner_id: int
    owner: str
    deadline: date
    status: str
    status_label: str
    source: str
    source_ref: str
    done_at: datetime | None
    reminded_at: datetime | None
    escalated_at: datetime | None
    escalated_to: str
    may_update: bool


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class StatusIn(Schema):
    status: str = Field(max_length=10, description="todo, doing or done")


class EvidenceIn(Schema):
    link_kind: str = Field("", max_length=10, description="activity, project, order or figure")
    link_id: DbId | None = None
    figure: str = Field("", max_length=60)
    note: str = Field("", max_length=300)


class EvidenceOut(Schema):
    id: int
    kind: str
    kind_label: str
    file_type: str
    link_kind: str
    link_id: int | None
    figure: str
    note: str
    url: str
    created_at: datetime


class TaskDetail(TaskOut):
    evidence: list[EvidenceOut]


class ChildProgress(Schema):
    region_id: int
    region: str
    plan_id: int | None
    own: ProgressOut
    below: ProgressOut
    plans_below: int


class ProgressTree(Schema):
    region_id: int
    region: str
    year: int
    plan_id: int | None
    own: ProgressOut
    below: ProgressOut
    children: list[ChildProgress]


class DesignationIn(Schema):
    site_id: DbId
    year: int = Field(ge=2000, le=2100)
    criteria: str = Field(min_length=1, max_length=2000)
    township_id: DbId | None = None
    designated_by: str = Field("", max_length=120)


class DesignationOut(Schema):
    id: int
    site_id: int
    site: str
    township_id: int
    township: str
    year: int
    criteria: str
    designated_by: str
    status: str
    withdrawn_year: int | None


class DesignationPage(Schema):
    items: list[DesignationOut]
    next_cursor: str | None


class ReviewIn(Schema):
    year: int = Field(ge=2000, le=2100)
    outcome: str = Field(max_length=10, description="kept or withdrawn")
    reasons: str = Field(min_length=1, max_length=2000)


class ReviewOut(Schema):
    id: int
    designation_id: int
    year: int
    outcome: str
    reasons: str


class TownshipOut(Schema):
    township_id: int
    township: str
    count: int
    missing: int
    sites: list[str]


class TownshipRule(Schema):
    year: int
    per_township: int
    townships: list[TownshipOut]
    lacking: int
