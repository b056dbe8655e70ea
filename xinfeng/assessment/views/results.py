"""Results pages: compute a period, the ranking per level, one place's result (figure,
target, formula and the link to the records behind each score), Excel and PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.core.spreadsheet import XLSX_CONTENT_TYPE

from .. import policy, selectors
from ..choices import AssessedLevel
from ..compute import parse_period
from ..models import ResultsRun
from ..services.reports import ranking_xlsx, result_pdf
from ..services.runs import results_refresh

PAGE_SIZE = 50


def _period(request, s) -> str:
    raw = request.GET.get("period") or request.POST.get("period") or str(s.year)
    try:
        return parse_period(raw).key
    except ValueError as exc:
        raise ValidationFailed(
            _("考核期格式应为 2026、2026-Q1 或 2026-03。"), code="invalid_period"
        ) from exc


def _level(request) -> str:
    level = request.GET.get("level") or AssessedLevel.TOWNSHIP
    if level not in AssessedLevel.values:
        raise ValidationFailed(_("考核对象不存在。"), code="invalid_level")
    return level


@require_safe
@login_required
def ranking(request, scheme_id: int):
    """The stored ranking of one level (township, village, site, team) for a period, with
    a name search and pages; the last runs of the computation and their progress."""
    s = selectors.scheme(request.user, scheme_id)
    period = _period(request, s)
    level = _level(request)
    q = (request.GET.get("q") or "").strip()[:100]
    rows = selectors.results(request.user, s, period=period, level=level, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/results.html",
        {
            "scheme": s,
            "period": period,
            "level": level,
            "levels": AssessedLevel.choices,
            "q": q,
            "page": page,
            "runs": selectors.runs_for(s),
            "may_compute": policy.may_edit_scheme(request.user, s),
        },
    )


@login_required
@require_POST
def compute(request, scheme_id: int):
    s = selectors.scheme(request.user, scheme_id)
    if not policy.may_edit_scheme(request.user, s):
        raise PermissionDenied()
    period = _period(request, s)
    run = results_refresh(
        trigger=ResultsRun.Trigger.MANUAL, actor=request.user, scheme=s, periods=[period]
    )
    messages.success(request, _("已计算 %(n)d 个单位。") % {"n": run.places})
    return redirect(f"/assessment/schemes/{s.pk}/results/?period={period}")


@require_safe
@login_required
def ranking_export(request, scheme_id: int):
    s = selectors.scheme(request.user, scheme_id)
    period = _period(request, s)
    level = request.GET.get("level") or None
    if level is not None and level not in AssessedLevel.values:
        raise ValidationFailed(_("考核对象不存在。"), code="invalid_level")
    data = ranking_xlsx(selectors.results(request.user, s, period=period, level=level))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="results-{s.pk}-{period}.xlsx"'
    return response


@require_safe
@login_required
def result_detail(request, result_id: int):
    r = selectors.result(request.user, result_id)
    return render(
        request,
        "assessment/result.html",
        {
            "r": r,
            "lines": selectors.result_lines(r),
            "trend": selectors.result_trend(request.user, r),
        },
    )


@require_safe
@login_required
def result_pdf_view(request, result_id: int):
    r = selectors.result(request.user, result_id)
    data = result_pdf(r, selectors.result_lines(r), selectors.result_trend(request.user, r))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="result-{r.pk}.pdf"'
    return response
