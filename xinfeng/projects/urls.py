from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.menu, name="menu"),
    path("new/", views.declare, name="declare"),
    path("approvals/", views.approvals, name="approvals"),
    path("<int:project_id>/", views.detail, name="detail"),
    path("<int:project_id>/<slug:action>/", views.act, name="act"),
]
