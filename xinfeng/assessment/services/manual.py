"""Manual scores: assign inspectors, record a visit result (a new version supersedes the
current one), the assessed place's statement, confirmation by the level above."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.audit import audit_record
from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise

from .. import policy
from ..choices import Grade, Method, NodeKind, Rule
from ..compute import parse_period
from ..models import InspectorAssignment, ManualScore
from ..scoring import score as score_rule
from ..units import Unit
from .ledger import validate_receipt


def _actor(actor):
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()


@transaction.atomic
def inspector_assign(*, actor, scheme, user, region) -> InspectorAssignment:
    _actor(actor)
    if not policy.may_edit_scheme(actor, scheme):
        raise PermissionDenied()
    if not region.is_within(scheme.region):
        raise ValidationFailed(_("检查范围须在指标体系的单位之内。"), code="out_of_area")
    row, _created = InspectorAssignment.objects.get_or_create(
        scheme=scheme, user=user, region=region, defaults={"created_by": actor}
    )
    return row


MAX_VALUE = 10**6


def current(scheme, node, unit, period: str):
    """The current (not superseded) score of a standard for a unit and period."""
    return (
        ManualScore.objects.filter(
            scheme=scheme,
            node=node,
            region=unit.region,
            site=unit.site,
            team=unit.team,
            period=period,
            superseded_by__isnull=True,
        )
        .order_by("-version")
        .first()
    )


def _invalid(message, code: str, field: str | None = None):
    return ValidationFailed(message, code=code, fields={field: [message]} if field else None)


def _check_input(*, scheme, node, unit, period: str, grade: str, value) -> str:
    """The scheme's rule decides what a score needs; returns the period's key."""
    if (
        node.scheme_id != scheme.pk
        or node.kind != NodeKind.STANDARD
        or node.method == Method.AUTOMATIC
    ):
        raise _invalid(_("只能为人工考核的标准评分。"), "not_manual", "node")
    if unit.level != node.level:
        raise _invalid(_("该标准不考核这一级单位。"), "wrong_level", "node")
    if not unit.region.is_within(scheme.region):
        raise _invalid(_("该单位不在指标体系的考核范围内。"), "out_of_area")
    try:
        key = parse_period(period).key
    except ValueError as exc:
        raise _invalid(
            _("考核期格式应为 2026、2026-Q1 或 2026-03。"), "invalid_period", "period"
        ) from exc
    if parse_period(key).start.year != scheme.year:
        raise _invalid(_("考核期须在指标体系的年度内。"), "period_outside_year", "period")
    if node.rule == Rule.GRADE and grade not in Grade.values:
        raise _invalid(_("请选择档次。"), "grade_required", "grade")
    if node.rule != Rule.GRADE and grade:
        raise _invalid(_("该标准不按档次计分。"), "grade_not_allowed", "grade")
    if node.rule in (Rule.DEDUCTION, Rule.RATIO) and value is None:
        raise _invalid(_("请填写数值。"), "value_required", "value")
    if value is not None and not (0 <= value <= MAX_VALUE):
        raise _invalid(_("数值须在 0 到 1000000 之间。"), "value_out_of_range", "value")
    return key


@transaction.atomic
def manual_score_record(
    *,
    actor,
    scheme,
    node,
    unit=None,
    region=None,
    period: str,
    grade: str = "",
    value=None,
    done: bool = False,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> ManualScore:
    """A manual standard's score for one unit (a ``units.Unit``; or ``region`` for a
    township or village) and period, recorded by an inspector of its area or staff of the
    assessing level, never by the unit itself (``policy.may_score``). The score follows
    the standard's rule from the grade, value or yes/no given. A second score for the same
    standard, unit and period is a new version superseding the current one (which stays),
    and needs confirmation again. Who scored and when is kept on every version."""
    _actor(actor)
    if unit is None:
        unit = Unit(region.level, region) if region is not None else None
    if unit is None:
        raise _invalid(_("请选择被考核单位。"), "unit_required")
    if not policy.may_score(actor, scheme, unit):
        raise PermissionDenied(
            _("只有考核检查员或考核单位的工作人员可以评分，被考核单位不能给自己评分。")
        )
    key = _check_input(scheme=scheme, node=node, unit=unit, period=period, grade=grade, value=value)
    points = score_rule(
        node.rule,
        points=node.points,
        figure=value,
        target=node.target,
        cap=node.cap,
        per_unit=node.per_unit,
        letter=grade,
        done=done,
    )
    previous = current(scheme, node, unit, key)
    row = ManualScore(
        scheme=scheme,
        node=node,
        region=unit.region,
        site=unit.site,
        team=unit.team,
        period=key,
        grade=grade,
        value=value,
        done=done,
        score=points,
        note=(note or "").strip(),
        inspector=actor,
        supersedes=previous,
        version=(previous.version + 1) if previous else 1,
    )
    if evidence is not None:
        kind = validate_receipt(evidence)
        row.evidence.save(f"evidence.{kind}", evidence, save=False)
    full_clean_or_raise(row)
    row.save()
    audit_record(
        action="assessment.manual_score",
        actor=actor,
        obj=row,
        detail={"node": node.code, "unit": list(unit.key), "period": key, "score": str(points)},
    )
    return row


@transaction.atomic
def manual_statement_add(*, actor, score: ManualScore, statement: str) -> ManualScore:
    _actor(actor)
    if not policy.may_state(actor, score):
        raise PermissionDenied()
    score = ManualScore.objects.select_for_update().get(pk=score.pk)
    if score.status == ManualScore.Status.CONFIRMED or hasattr(score, "superseded_by"):
        raise Conflict(_("已确认或已被新版本取代的评分不能再补充说明。"), code="closed")
    score.statement = (statement or "").strip()[:500]
    score.save(update_fields=["statement"])
    return score


@transaction.atomic
def manual_score_confirm(*, actor, score: ManualScore) -> ManualScore:
    _actor(actor)
    if not policy.may_confirm(actor, score):
        raise PermissionDenied(_("只有上一级单位可以确认（本单位和检查员本人不能确认）。"))
    fresh = ManualScore.objects.select_for_update().get(pk=score.pk)
    if fresh.status == ManualScore.Status.CONFIRMED:
        raise Conflict(_("该评分已确认。"), code="already_confirmed")
    if ManualScore.objects.filter(supersedes=fresh).exists():
        raise Conflict(_("该评分已被新版本取代。"), code="superseded")
    fresh.status, fresh.confirmed_by, fresh.confirmed_at = (
        ManualScore.Status.CONFIRMED,
        actor,
        timezone.now(),
    )
    fresh.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_record(action="assessment.manual_confirm", actor=actor, obj=fresh)
    return fresh
