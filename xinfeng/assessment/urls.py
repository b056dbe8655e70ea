from django.urls import path

from .views import funding, manual, results, schemes

app_name = "assessment"
urlpatterns = [
    path("", schemes.scheme_list, name="schemes"),
    path("schemes/new", schemes.scheme_create, name="scheme_create"),
    path("schemes/<int:scheme_id>/", schemes.scheme_detail, name="scheme"),
    path("schemes/<int:scheme_id>/nodes", schemes.node_add, name="node_add"),
    path("schemes/<int:scheme_id>/export.xlsx", schemes.scheme_export, name="scheme_export"),
    path("schemes/<int:scheme_id>/results/", results.ranking, name="ranking"),
    path("schemes/<int:scheme_id>/results/compute", results.compute, name="compute"),
    path("schemes/<int:scheme_id>/results.xlsx", results.ranking_export, name="ranking_export"),
    path("schemes/<int:scheme_id>/manual/", manual.manual_list, name="manual_list"),
    path("schemes/<int:scheme_id>/manual/units/", manual.manual_units, name="manual_units"),
    path("schemes/<int:scheme_id>/manual/new", manual.manual_new, name="manual_new"),
    path("schemes/<int:scheme_id>/<str:action>", schemes.scheme_action, name="scheme_action"),
    path("manual/<int:score_id>/", manual.manual_score, name="manual_score"),
    path("manual/<int:score_id>/statement", manual.manual_statement, name="manual_statement"),
    path("manual/<int:score_id>/confirm", manual.manual_confirm, name="manual_confirm"),
    path("results/<int:result_id>/", results.result_detail, name="result"),
    path("results/<int:result_id>/report.pdf", results.result_pdf_view, name="result_pdf"),
    path("funding/", funding.funding, name="funding"),
    path("funding/allocations/new", funding.allocation_new, name="allocation_new"),
    path("funding/expenditures/new", funding.expenditure_new, name="expenditure_new"),
    path(
        "funding/<str:ledger>/<int:line_id>/<str:action>",
        funding.line_action,
        name="line_action",
    ),
]
