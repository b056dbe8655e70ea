from django.urls import path

from .views import funding

app_name = "assessment"
urlpatterns = [
    path("funding/", funding.funding, name="funding"),
    path("funding/allocations/new", funding.allocation_new, name="allocation_new"),
    path("funding/expenditures/new", funding.expenditure_new, name="expenditure_new"),
    path(
        "funding/<str:ledger>/<int:line_id>/<str:action>",
        funding.line_action,
        name="line_action",
    ),
]
