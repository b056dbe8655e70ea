from django.urls import path

from .views import departments, groups, responsibility

app_name = "governance"
urlpatterns = [
    path("", responsibility.site_list, name="sites"),
    path("gaps/", responsibility.gap_list, name="gaps"),
    path("sites/<id:site_id>/", responsibility.site_people, name="site"),
    path("sites/<id:site_id>/terms", responsibility.term_create, name="term_create"),
    path("sites/<id:site_id>/staff", responsibility.staff_create, name="staff_create"),
    path("sites/<id:site_id>/handovers", responsibility.handover_create, name="handover_create"),
    path("staff/<id:staff_id>/end", responsibility.staff_end, name="staff_end"),
    path("handovers/", responsibility.handover_list, name="handovers"),
    path("handovers/<id:handover_id>/", responsibility.handover_detail, name="handover"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/new", groups.group_create, name="group_create"),
    path("groups/<id:group_id>/", groups.group_detail, name="group"),
    path("groups/<id:group_id>/members", groups.member_create, name="member_create"),
    path("members/<id:member_id>/remove", groups.member_remove, name="member_remove"),
    path("groups/<id:group_id>/meetings", groups.meeting_create, name="meeting_create"),
    path("decisions/<id:decision_id>/task", groups.decision_task, name="decision_task"),
    path("departments/", departments.department_view, name="departments"),
]
