from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from xinfeng.core.schema import DbId, PlanDate, RecordDate


class Page(Schema):
    next_cursor: str | None


class SiteRowOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    region: str
    responsible_name: str
    responsible_post: str
    staff_in_post: int
    gaps: list[str]
    gap_labels: list[str]


class GovernanceSitePage(Page):
    items: list[SiteRowOut]


class TermOut(Schema):
    id: int
    site_id: int
    user_id: int
    name: str
    post: str
    starts_on: date
    ends_on: date | None


class StaffOut(Schema):
    id: int
    site_id: int
    name: str
    kind: str
    kind_label: str
    post: str
    starts_on: date
    ends_on: date | None


class ItemOut(Schema):
    kind: str
    kind_label: str
    id: int | None
    title: str
    state: str
    when: str
    url: str


class HandoverOut(Schema):
    id: int
    site_id: int
    site: str
    kind: str
    kind_label: str
    predecessor_name: str
    successor_name: str
    successor_id: int | None
    handed_over_on: date
    # When the site roles moved to the successor; null while the handover's date is ahead.
    roles_moved_at: datetime | None = None
    note: str
    open_item_count: int
    open_items: list[ItemOut] = []


class HandoverPage(Page):
    items: list[HandoverOut]


class SitePeopleOut(Schema):
    site: SiteRowOut
    terms: list[TermOut]
    staff: list[StaffOut]
    handovers: list[HandoverOut]
    may_appoint: bool


class TermIn(Schema):
    user_id: DbId
    post: str = Field(min_length=1, max_length=80)
    starts_on: PlanDate
    ends_on: PlanDate | None = None


class StaffIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    kind: str = Field(description="full_time or propagandist")
    post: str = Field("", max_length=80)
    starts_on: PlanDate
    ends_on: PlanDate | None = None
    user_id: DbId | None = None


class StaffEndIn(Schema):
    ends_on: PlanDate


class HandoverIn(Schema):
    successor_id: DbId
    on: PlanDate
    kind: str = Field("responsible", description="responsible or staff")
    post: str = Field("", max_length=80)
    note: str = Field("", max_length=2000)
    staff_id: DbId | None = Field(None, description="the staff post handed over (kind=staff)")


class GroupOut(Schema):
    id: int
    region_id: int
    region: str
    name: str
    established_on: date | None
    duties: str
    member_count: int | None
    meeting_count: int | None


class GroupPage(Page):
    items: list[GroupOut]


class MemberOut(Schema):
    id: int
    name: str
    unit: str
    post: str
    role: str
    role_label: str
    department: str
    department_label: str


class DecisionOut(Schema):
    id: int
    meeting_id: int
    text: str
    task_id: int | None


class MeetingOut(Schema):
    id: int
    group_id: int
    held_on: date
    title: str
    minutes: str
    decisions: list[DecisionOut]


class GroupDetailOut(GroupOut):
    members: list[MemberOut]
    meetings: list[MeetingOut]
    may_keep: bool


class GroupIn(Schema):
    region_id: DbId
    name: str = Field("", max_length=120)
    established_on: RecordDate | None = None
    duties: str = Field("", max_length=2000)


class MemberIn(Schema):
    name: str = Field("", max_length=50)
    unit: str = Field(min_length=1, max_length=120)
    post: str = Field(min_length=1, max_length=80)
    role: str = Field("member", description="leader, deputy or member")
    department: str = Field("", max_length=32, description="code of the department represented")
    user_id: DbId | None = None


class MeetingIn(Schema):
    held_on: RecordDate
    title: str = Field(min_length=1, max_length=200)
    minutes: str = Field("", max_length=20000)
    decisions: list[str] = Field(default_factory=list, max_length=20)


class DecisionTaskIn(Schema):
    owner_id: DbId
    deadline: PlanDate
    title: str = Field("", max_length=200)


class DecisionTaskOut(Schema):
    id: int
    plan_id: int
    title: str
    deadline: date


class FigureOut(Schema):
    label: str
    value: str
    key: str


class SectionOut(Schema):
    code: str
    label: str
    guides: str
    figures: list[FigureOut]


class DepartmentViewOut(Schema):
    region_id: int
    region: str
    sections: list[SectionOut]
