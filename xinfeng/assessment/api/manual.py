"""Manual scores: inspectors record visit results (multipart, optional evidence), the
assessed place adds a statement, the level above confirms."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import ValidationFailed
from xinfeng.core.schema import DbId, Limit, SearchText

from .. import selectors
from ..models import Node
from ..services import manual as svc
from ..units import find_unit
from . import router


class ManualIn(Schema):
    node_id: DbId
    region_id: DbId | None = Field(None, description="a township or village")
    site_id: DbId | None = Field(None, description="a practice site (site-level standards)")
    team_id: DbId | None = Field(None, description="a volunteer team (team-level standards)")
    period: str = Field(max_length=10)
    grade: str = Field("", max_length=2)
    value: Decimal | None = Field(None, ge=0, le=10**9)
    done: bool = False
    note: str = Field("", max_length=500)


class StatementIn(Schema):
    statement: str = Field(max_length=500)


class ManualOut(Schema):
    id: int
    node_id: int
    code: str
    region_id: int
    region: str
    site_id: int | None
    team_id: int | None
    unit: str
    period: str
    version: int
    supersedes_id: int | None
    grade: str
    value: Decimal | None
    done: bool
    score: Decimal
    note: str
    statement: str
    evidence_url: str | None
    status: str
    scored_by: str
    created_at: datetime
    confirmed_by: str
    confirmed_at: datetime | None


def _who(user) -> str:
    return (user.display_name or user.username) if user else ""


def out(m) -> dict:
    return {
        "id": m.pk,
        "node_id": m.node_id,
        "code": m.node.code,
        "region_id": m.region_id,
        "region": m.region.display_name,
        "site_id": m.site_id,
        "team_id": m.team_id,
        "unit": m.unit_name,
        "period": m.period,
        "version": m.version,
        "supersedes_id": m.supersedes_id,
        "grade": m.grade,
        "value": m.value,
        "done": m.done,
        "score": m.score,
        "note": m.note,
        "statement": m.statement,
        "evidence_url": m.evidence.url if m.evidence else None,
        "status": m.status,
        "scored_by": _who(m.inspector),
        "created_at": m.created_at,
        "confirmed_by": _who(m.confirmed_by),
        "confirmed_at": m.confirmed_at,
    }


@router.get(
    "/schemes/{scheme_id}/manual-scores",
    response=list[ManualOut],
    summary="Manual scores I may see",
)
def list_manual(
    request,
    scheme_id: DbId,
    period: Annotated[str, Field(max_length=10)] = "",
    status: Literal["submitted", "confirmed"] | None = None,
    q: SearchText = "",
    limit: Limit = 200,
):
    s = selectors.scheme(request.user, scheme_id)
    rows = selectors.manual_scores(request.user, s, period=period, status=status or "", q=q)
    return [out(m) for m in rows[:limit]]


@router.post(
    "/schemes/{scheme_id}/manual-scores",
    auth=signed_in,
    response={201: ManualOut},
    summary="Record a visit result (inspectors)",
)
def record(
    request, scheme_id: DbId, payload: Form[ManualIn], evidence: File[UploadedFile | None] = None
):
    user = request.auth
    s = selectors.scheme(user, scheme_id)
    node = Node.objects.filter(pk=payload.node_id, scheme=s).first()
    if node is None:
        raise ValidationFailed(_("标准不存在。"), code="unknown_object")
    unit = find_unit(
        s,
        node.level,
        region_id=payload.region_id,
        site_id=payload.site_id,
        team_id=payload.team_id,
    )
    if unit is None:
        raise ValidationFailed(
            _("请按标准的考核对象选择本体系范围内的单位（乡镇、村、阵地或队伍）。"),
            code="unknown_unit",
        )
    m = svc.manual_score_record(
        actor=user,
        scheme=s,
        node=node,
        unit=unit,
        period=payload.period,
        grade=payload.grade,
        value=payload.value,
        done=payload.done,
        note=payload.note,
        evidence=evidence,
    )
    return Status(201, out(m))


@router.post(
    "/manual-scores/{score_id}/statement",
    auth=signed_in,
    response=ManualOut,
    summary="The assessed place's statement",
)
def statement(request, score_id: DbId, payload: StatementIn):
    user = request.auth
    return out(
        svc.manual_statement_add(
            actor=user, score=selectors.manual_score(user, score_id), statement=payload.statement
        )
    )


@router.post(
    "/manual-scores/{score_id}/confirm",
    auth=signed_in,
    response=ManualOut,
    summary="Confirm (the level above)",
)
def confirm(request, score_id: DbId):
    user = request.auth
    return out(svc.manual_score_confirm(actor=user, score=selectors.manual_score(user, score_id)))
