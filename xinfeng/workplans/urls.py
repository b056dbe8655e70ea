from django.urls import path

from .views import demosites, pickers, plans

app_name = "workplans"
urlpatterns = [
    path("", plans.plan_list, name="list"),
    path("progress/", plans.progress, name="progress"),
    path("pick/owners/", pickers.pick_owners, name="pick_owners"),
    path("<id:plan_id>/", plans.plan_detail, name="plan"),
    path("<id:plan_id>/tasks/new/", plans.plan_add_task, name="plan_add_task"),
    path("<id:plan_id>/goals/new/", plans.plan_add_goal, name="plan_add_goal"),
    path("tasks/<id:task_id>/", plans.task_detail, name="task"),
    path("tasks/<id:task_id>/status/", plans.task_status, name="task_status"),
    path("tasks/<id:task_id>/evidence/", plans.task_evidence, name="task_evidence"),
    path("demo-sites/", demosites.designation_list, name="demosites"),
    path("demo-sites/townships/", demosites.township_rule, name="townships"),
    path("demo-sites/townships/<id:township_id>/", demosites.township_detail, name="township"),
    path(
        "demo-sites/townships/<id:township_id>/designate/",
        demosites.township_designate,
        name="township_designate",
    ),
    path(
        "demo-sites/<id:designation_id>/review/",
        demosites.designation_review,
        name="designation_review",
    ),
]
