"""Results: compute a period (staff of the scheme's place), the ranking of a level, one
place's result with each standard's figure, target, formula and link, and the trend."""

from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.core.schema import DbId, Limit, SearchText

from .. import policy, selectors
from ..compute import parse_period
from ..models import ResultsRun
from ..services.runs import results_refresh
from . import router

Offset = Annotated[int, Field(ge=0, le=10**6, description="Rows to skip")]


class ComputeIn(Schema):
    period: str = Field(max_length=10, description="2026, 2026-Q1 or 2026-03")


class ResultOut(Schema):
    id: int
    region_id: int
    region: str
    site_id: int | None
    team_id: int | None
    name: str
    level: str
    rank_group: str
    rank: int
    total: Decimal
    max_points: Decimal
    leader: str


class ResultLineOut(Schema):
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
    lines: list[ResultLineOut]
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
        "site_id": r.site_id,
        "team_id": r.team_id,
        "name": r.name,
        "level": r.level,
        "rank_group": r.rank_group,
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
    run = results_refresh(
        trigger=ResultsRun.Trigger.MANUAL,
        actor=request.auth,
        scheme=s,
        periods=[_period(payload.period)],
    )
    return {"places": run.places, "run": run.pk, "status": run.status}


@router.get("/schemes/{scheme_id}/results", response=list[ResultOut], summary="Ranking of a period")
def ranking(
    request,
    scheme_id: DbId,
    period: str = "",
    level: Literal["township", "village", "site", "team"] | None = None,
    q: SearchText = "",
    limit: Limit = 200,
    offset: Offset = 0,
):
    """The stored ranking, ordered by level (township, village, site, team), rank group
    (a site's level) and rank; ``q`` filters by the unit's name; ``limit``/``offset`` page."""
    s = selectors.scheme(request.user, scheme_id)
    key = _period(period) if period else str(s.year)
    rows = selectors.results(request.user, s, period=key, level=level, q=q)
    return [result_out(r) for r in rows[offset : offset + limit]]


@router.get("/results/{result_id}", response=ResultDetail, summary="One place's result")
def result_detail(request, result_id: DbId):
    r = selectors.result(request.user, result_id)
    return {
        **result_out(r),
        "period": r.period,
        "lines": selectors.result_lines(r),
        "trend": selectors.result_trend(request.user, r),
    }
