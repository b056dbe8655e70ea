"""Results pages: charts and tables per question, a cross-tab, response rates, Excel export."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from xinfeng.core.spreadsheet import XLSX_CONTENT_TYPE

from .. import policy, results
from .. import selectors_needs as sel
from ..exports import export_answers_xlsx
from ..services.evaluation import POOR_BELOW, POOR_MIN_ANSWERS


@require_safe
def results_page(request, survey_id: int):
    survey = sel.results_survey(user=request.user, survey_id=survey_id)
    villages = results.results_scope(request.user, survey)
    total, groups = results.question_results(survey, villages)
    chartable = [g for g in groups if g.rows]
    cross_name = request.GET.get("q") or (chartable[0].name if chartable else "")
    by = request.GET.get("by", "village")
    if by not in results.CROSSTAB_DIMENSIONS:
        by = "village"
    cross_group = next((g for g in chartable if g.name == cross_name), None)
    if cross_group is None and chartable:
        cross_group = chartable[0]
    cross = results.crosstab(survey, cross_group, by, villages) if cross_group else None
    charts = [
        {
            "id": f"chart-{i}",
            "name": g.name,
            "type": "bar" if g.qtype != "select_one" or len(g.rows) > 6 else "pie",
            "labels": [r.label for r in g.rows],
            "values": [r.count for r in g.rows],
        }
        for i, g in enumerate(chartable)
    ]
    for g, c in zip(chartable, charts, strict=True):
        g.chart_id = c["id"]
    ctx = {
        "survey": survey,
        "total": total,
        "groups": groups,
        "charts": charts,
        "cross": cross,
        "cross_group": cross_group,
        "chartable": chartable,
        "by": by,
        "dimensions": list(results.CROSSTAB_DIMENSIONS.items()),
        "rates": results.response_rates(survey, villages),
        "partial": villages is not None,
        "text_questions": results.text_question_names(survey),
        "may_manage": policy.may_manage_survey(request.user, survey),
        "poor_below": POOR_BELOW,
        "poor_min": POOR_MIN_ANSWERS,
    }
    return render(request, "surveys/results.html", ctx)


@require_safe
def results_export(request, survey_id: int):
    survey = sel.results_survey(user=request.user, survey_id=survey_id)
    villages = results.results_scope(request.user, survey)
    data = export_answers_xlsx(
        actor=request.user, survey=survey, villages=villages, request=request
    )
    resp = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-answers.xlsx"'
    return resp
