from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("dashboard/<int:region_id>/", views.dashboard_view, name="dashboard"),
    path("dashboard/<int:region_id>/export.xlsx", views.dashboard_export, name="export"),
    path("map/", views.site_map, name="map"),
    path("coverage/", views.coverage_view, name="coverage"),
]
