"""Results: compute a period (staff of the scheme's place), the ranking of a level, one
place's result with each standard's figure, target, formula and link, and the trend."""

from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.core.schema import DbId

from .. import policy, selectors
from ..compute import parse_period
from ..services.results import results_compute
from . import router


class ComputeIn(Schema):
    period: str = Field(max_length=10, description="2026, 2026-Q1 or 2026-03")


class ResultOut(Schema):
    id: int
    region_id: int
    region: str
    level: str
    rank: int
    total: Decimal
    max_points: Decimal
    leader: str


class LineOut(Schema):
    code: str
    title: str
    method: str
    points: Decimal | None
    target: Decimal | None
    figure: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    score: Decimal
    formula: str
    link: str
    pending: bool


class TrendOut(Schema):
    period: str
    total: Decimal
    rank: int


class ResultDetail(ResultOut):
    period: str
    lines: list[LineOut]
    trend: list[TrendOut]


def _period(key: str) -> str:
    try:
        return parse_period(key).key
    except ValueError as exc:
        raise ValidationFailed(
            _("考核期格式应为 2026、2026-Q1 或 2026-03。"), code="invalid_period"
        ) from exc


def result_out(r) -> dict:
    return {
        "id": r.pk,
        "region_id": r.region_id,
        "region": r.region.display_name,
        "level": r.level,
        "rank": r.rank,
        "total": r.total,
        "max_points": r.max_points,
        "leader": r.leader,
    }


@router.post(
    "/schemes/{scheme_id}/results",
    auth=signed_in,
    response=dict,
    summary="Compute and store a period's results",
)
def compute(request, scheme_id: DbId, payload: ComputeIn):
    s = selectors.scheme(request.auth, scheme_id)
    if not policy.may_edit_scheme(request.auth, s):
        raise PermissionDenied()
    return {"places": results_compute(scheme=s, period_key=_period(payload.period))}


@router.get("/schemes/{scheme_id}/results", response=list[ResultOut], summary="Ranking of a period")
def ranking(
    request, scheme_id: DbId, period: str = "", level: Literal["township", "village"] | None = None
):
    s = selectors.scheme(request.user, scheme_id)
    key = _period(period) if period else str(s.year)
    return [
        result_out(r) for r in selectors.results(request.user, s, period=key, level=level)[:2000]
    ]


@router.get("/results/{result_id}", response=ResultDetail, summary="One place's result")
def result_detail(request, result_id: DbId):
    r = selectors.result(request.user, result_id)
    return {
        **result_out(r),
        "period": r.period,
        "lines": selectors.result_lines(r),
        "trend": selectors.result_trend(request.user, r),
    }
