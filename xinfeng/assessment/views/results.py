"""Results pages: compute a period, the ranking per level, one place's result (figure,
target, formula and the link to the records behind each score), Excel and PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfeng.core.errors import PermissionDenied, ValidationFailed
from xinfeng.core.spreadsheet import XLSX_CONTENT_TYPE

from .. import policy, selectors
from ..compute import parse_period
from ..services.reports import ranking_xlsx, result_pdf
from ..services.results import results_compute


def _period(request, s) -> str:
    raw = request.GET.get("period") or request.POST.get("period") or str(s.year)
    try:
        return parse_period(raw).key
    except ValueError as exc:
        raise ValidationFailed(
            _("考核期格式应为 2026、2026-Q1 或 2026-03。"), code="invalid_period"
        ) from exc


@login_required
def ranking(request, scheme_id: int):
    s = selectors.scheme(request.user, scheme_id)
    period = _period(request, s)
    rows = list(selectors.results(request.user, s, period=period))
    return render(
        request,
        "assessment/results.html",
        {
            "scheme": s,
            "period": period,
            "townships": [r for r in rows if r.level == "township"],
            "villages": [r for r in rows if r.level == "village"],
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
    n = results_compute(scheme=s, period_key=period)
    messages.success(request, _("已计算 %(n)d 个单位。") % {"n": n})
    return redirect(f"/assessment/schemes/{s.pk}/results/?period={period}")


@login_required
def ranking_export(request, scheme_id: int):
    s = selectors.scheme(request.user, scheme_id)
    period = _period(request, s)
    data = ranking_xlsx(selectors.results(request.user, s, period=period))
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="results-{s.pk}-{period}.xlsx"'
    return response


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


@login_required
def result_pdf_view(request, result_id: int):
    r = selectors.result(request.user, result_id)
    data = result_pdf(r, selectors.result_lines(r), selectors.result_trend(request.user, r))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="result-{r.pk}.pdf"'
    return response
