from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from xinfeng.core.schema import DbId, RecordDate

from ..models.ledger import MAX_FEN

Year = Annotated[int, Field(ge=2000, le=2100, description="Budget year")]
Fen = Annotated[
    int, Field(ge=1, le=MAX_FEN, description="Amount in fen (1 yuan = 100 fen), an integer")
]
Source = Literal["city_operating", "special_integration", "township", "donation"]
Kind = Literal["allocations", "expenditures"]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class AllocationIn(Schema):
    year: Year
    source: Source
    region_id: DbId = Field(description="The receiving place (region)")
    from_region_id: DbId | None = Field(None, description="The giving place; omit for a budget")
    site_id: DbId | None = None
    project_id: DbId | None = None
    amount_fen: Fen
    note: Text200 = ""


class ExpenditureIn(Schema):
    region_id: DbId = Field(description="The spending place (region)")
    source: Source
    spent_on: RecordDate
    payee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    amount_fen: Fen
    site_id: DbId | None = None
    project_id: DbId | None = None
    activity_id: DbId | None = None
    note: Text200 = ""


class ReverseIn(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class LineOut(Schema):
    id: int
    kind: Kind
    year: int
    source: str
    region_id: int
    region: str
    from_region_id: int | None = None
    site_id: int | None = None
    project_id: int | None = None
    activity_id: int | None = None
    spent_on: date | None = None
    payee: str | None = None
    purpose: str | None = None
    receipt_url: str | None = None
    amount_fen: int
    amount_yuan: str
    status: str
    reverses_id: int | None = None
    note: str
    created_at: datetime
    decided_at: datetime | None = None
    may_approve: bool = False


class LinePage(Schema):
    items: list[LineOut]
    next_cursor: str | None


class SummaryRow(Schema):
    region_id: int
    region: str
    source: str
    source_label: str
    received_fen: int
    passed_down_fen: int
    spent_fen: int
    spent_subtree_fen: int
    holds_fen: int
    executed_pct: float | None


class ActivityCost(Schema):
    activity_id: int
    title: str
    cost_fen: int


class CostsOut(Schema):
    spent_fen: int
    orders_served: int
    cost_per_order_fen: int | None
    activities: list[ActivityCost]
