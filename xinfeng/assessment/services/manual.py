"""Manual scores: assign inspectors, record a visit result (a new version supersedes the
current one), the assessed place's statement, confirmation by the level above."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise

from .. import policy
from ..choices import Grade, Method, NodeKind, Rule
from ..compute import parse_period
from ..models import InspectorAssignment, ManualScore
from ..scoring import score as score_rule
from .ledger import validate_receipt

LEVEL_OF_REGION = {"township": "township", "village": "village"}


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


def current(scheme, node, region, period: str):
    return (
        ManualScore.objects.filter(
            scheme=scheme, node=node, region=region, period=period, superseded_by__isnull=True
        )
        .order_by("-version")
        .first()
    )


@transaction.atomic
def manual_score_record(
    *,
    actor,
    scheme,
    node,
    region,
    period: str,
    grade: str = "",
    value=None,
    done: bool = False,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> ManualScore:
    """An inspector's result for one manual standard of one place and period. A second
    result for the same standard, place and period is a new version superseding the
    current one (which stays), and needs confirmation again."""
    _actor(actor)
    if not policy.is_inspector_for(actor, scheme, region):
        raise PermissionDenied(_("您不是该单位的考核检查员。"))
    if (
        node.scheme_id != scheme.pk
        or node.kind != NodeKind.STANDARD
        or node.method == Method.AUTOMATIC
    ):
        raise ValidationFailed(_("只能为人工考核的标准评分。"), code="not_manual")
    if region.level != node.level:
        raise ValidationFailed(_("该标准不考核这一级单位。"), code="wrong_level")
    try:
        key = parse_period(period).key
    except ValueError as exc:
        raise ValidationFailed(
            _("考核期格式应为 2026、2026-Q1 或 2026-03。"), code="invalid_period"
        ) from exc
    if node.rule == Rule.GRADE and grade not in Grade.values:
        raise ValidationFailed(
            _("请选择档次。"), code="grade_required", fields={"grade": [_("请选择档次。")]}
        )
    if node.rule in (Rule.DEDUCTION, Rule.RATIO) and value is None:
        raise ValidationFailed(
            _("请填写数值。"), code="value_required", fields={"value": [_("请填写数值。")]}
        )
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
    previous = current(scheme, node, region, key)
    row = ManualScore(
        scheme=scheme,
        node=node,
        region=region,
        period=key,
        grade=grade,
        value=value,
        done=done,
        score=points,
        note=note,
        inspector=actor,
        supersedes=previous,
        version=(previous.version + 1) if previous else 1,
    )
    if evidence is not None:
        kind = validate_receipt(evidence)
        row.evidence.save(f"evidence.{kind}", evidence, save=False)
    full_clean_or_raise(row)
    row.save()
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
    return fresh
