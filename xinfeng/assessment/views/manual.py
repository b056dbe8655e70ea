"""Manual scoring pages: the scores of a scheme (search, filters, pages), the units to
score, the form to score one unit (evidence and notes), one score with every version (who
scored, when, who confirmed), the assessed unit's statement and the level above's
confirmation. The rules are the services' and ``policy``'s: pages only show them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.accounts.choices import READ_ROLES, STAFF_ROLES
from xinfeng.accounts.scope import has_role_at
from xinfeng.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from xinfeng.core.pages import apply_errors

from .. import forms as f
from .. import policy, selectors
from ..choices import AssessedLevel, Method, NodeKind
from ..compute import parse_period
from ..models import InspectorAssignment, ManualScore
from ..services import manual as svc
from ..units import find_unit, search_units

PAGE_SIZE = 30


def _manual_levels(s) -> list[tuple[str, str]]:
    """The levels that have manual standards in the scheme, in the usual order."""
    used = set(
        s.nodes.filter(kind=NodeKind.STANDARD)
        .exclude(method=Method.AUTOMATIC)
        .values_list("level", flat=True)
    )
    return [(k, label) for k, label in AssessedLevel.choices if k in used]


def _period_or_blank(raw: str) -> str:
    if not raw:
        return ""
    try:
        return parse_period(raw).key
    except ValueError as exc:
        raise ValidationFailed(
            _("考核期格式应为 2026、2026-Q1 或 2026-03。"), code="invalid_period"
        ) from exc


def _scoring_area(user, s) -> list[str] | None:
    """Where the user may score under ``s``: everywhere (None) for staff of the assessing
    level, else the areas they inspect (each unit is still checked by ``policy.may_score``)."""
    if has_role_at(user, s.region, STAFF_ROLES):
        return None
    return list(
        InspectorAssignment.objects.filter(scheme=s, user=user).values_list(
            "region__path", flat=True
        )
    )


def _scores_somewhere(user, s) -> bool:
    return _scoring_area(user, s) != []


@require_safe
@login_required
def manual_list(request, scheme_id: int):
    s = selectors.scheme(request.user, scheme_id)
    period = _period_or_blank(request.GET.get("period", "").strip())
    status = request.GET.get("status", "")
    if status not in ("", *ManualScore.Status.values):
        raise ValidationFailed(_("状态不存在。"), code="invalid_status")
    level = request.GET.get("level", "")
    if level not in ("", *AssessedLevel.values):
        raise ValidationFailed(_("考核对象不存在。"), code="invalid_level")
    q = (request.GET.get("q") or "").strip()[:100]
    rows = selectors.manual_scores(
        request.user, s, period=period, status=status, level=level, q=q, current=True
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/manual_list.html",
        {
            "scheme": s,
            "page": page,
            "period": period,
            "status": status,
            "statuses": ManualScore.Status.choices,
            "level": level,
            "levels": _manual_levels(s),
            "q": q,
            "filtered": bool(period or status or level or q),
            "may_score": _scores_somewhere(request.user, s),
        },
    )


@require_safe
@login_required
def manual_units(request, scheme_id: int):
    """The units of one level to score, searched by name, in pages."""
    s = selectors.scheme(request.user, scheme_id)
    if not _scores_somewhere(request.user, s):
        raise PermissionDenied(_("只有考核检查员或考核单位的工作人员可以评分。"))
    levels = _manual_levels(s)
    level = request.GET.get("level") or (levels[0][0] if levels else "")
    if level and level not in AssessedLevel.values:
        raise ValidationFailed(_("考核对象不存在。"), code="invalid_level")
    q = (request.GET.get("q") or "").strip()[:100]
    units = search_units(s, level, q, within=_scoring_area(request.user, s)) if level else []
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/manual_units.html",
        {
            "scheme": s,
            "level": level,
            "levels": levels,
            "q": q,
            "page": page,
            "param": {"site": "site", "team": "team"}.get(level, "region"),
            "period": request.GET.get("period", "")[:10],
        },
    )


def _unit_from(request, s, level: str):
    def num(name):
        raw = request.GET.get(name) or request.POST.get(name) or ""
        return int(raw) if raw.isdigit() and len(raw) < 19 else None

    unit = find_unit(s, level, region_id=num("region"), site_id=num("site"), team_id=num("team"))
    # A unit the person neither reads nor inspects does not exist for them (404).
    if unit is None or not (
        has_role_at(request.user, unit.region, READ_ROLES)
        or policy.is_inspector_for(request.user, s, unit.region)
    ):
        raise NotFound()
    return unit


@login_required
def manual_new(request, scheme_id: int):
    """GET: the form for one unit (``level`` and ``region``/``site``/``team``); POST:
    record the score, then show it."""
    s = selectors.scheme(request.user, scheme_id)
    data = request.POST if request.method == "POST" else request.GET
    level = data.get("level", "")
    if level not in AssessedLevel.values:
        raise NotFound()
    unit = _unit_from(request, s, level)
    if not policy.may_score(request.user, s, unit):
        raise PermissionDenied(
            _("只有考核检查员或考核单位的工作人员可以评分，被考核单位不能给自己评分。")
        )
    standards = list(
        s.nodes.filter(kind=NodeKind.STANDARD, level=level)
        .exclude(method=Method.AUTOMATIC)
        .order_by("position", "id")
    )
    status = 200
    if request.method == "POST":
        form = f.ManualScoreForm(request.POST, request.FILES, standards=standards)
        if form.is_valid():
            node = next(n for n in standards if n.pk == form.cleaned_data["node"])
            try:
                row = svc.manual_score_record(
                    actor=request.user,
                    scheme=s,
                    node=node,
                    unit=unit,
                    period=form.cleaned_data["period"],
                    grade=form.cleaned_data["grade"],
                    value=form.cleaned_data["value"],
                    done=form.cleaned_data["done"],
                    note=form.cleaned_data["note"],
                    evidence=form.cleaned_data["evidence"],
                )
            except DomainError as exc:
                status = apply_errors(form, exc)
            else:
                messages.success(request, _("已记录评分，等待上一级确认。"))
                return redirect("assessment:manual_score", score_id=row.pk)
        else:
            status = 400
    else:
        form = f.ManualScoreForm(
            standards=standards,
            initial={"period": data.get("period") or f"{s.year}-Q{_quarter(s)}"},
        )
    return render(
        request,
        "assessment/manual_form.html",
        {"scheme": s, "unit": unit, "form": form, "standards": standards},
        status=status,
    )


def _quarter(s) -> int:
    today = timezone.localdate()
    return (today.month - 1) // 3 + 1 if today.year == s.year else 4


@require_safe
@login_required
def manual_score(request, score_id: int, statement_form=None, status=200):
    row = selectors.manual_score(request.user, score_id)
    versions = selectors.manual_versions(row)
    is_current = versions[-1].pk == row.pk
    is_open = is_current and row.status == ManualScore.Status.SUBMITTED
    return render(
        request,
        "assessment/manual_score.html",
        {
            "m": row,
            "versions": versions,
            "is_current": is_current,
            "may_state": is_open and policy.may_state(request.user, row),
            "may_confirm": is_open and policy.may_confirm(request.user, row),
            "statement_form": statement_form
            or f.StatementForm(initial={"statement": row.statement}),
        },
        status=status,
    )


@login_required
@require_POST
def manual_statement(request, score_id: int):
    row = selectors.manual_score(request.user, score_id)
    form = f.StatementForm(request.POST)
    if not form.is_valid():
        return manual_score(request, score_id, statement_form=form, status=400)
    try:
        svc.manual_statement_add(
            actor=request.user, score=row, statement=form.cleaned_data["statement"]
        )
    except DomainError as exc:
        return manual_score(request, score_id, statement_form=form, status=apply_errors(form, exc))
    messages.success(request, _("已提交说明。"))
    return redirect("assessment:manual_score", score_id=row.pk)


@login_required
@require_POST
def manual_confirm(request, score_id: int):
    row = selectors.manual_score(request.user, score_id)
    svc.manual_score_confirm(actor=request.user, score=row)
    messages.success(request, _("已确认。"))
    return redirect("assessment:manual_score", score_id=row.pk)
