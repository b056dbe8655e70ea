from django.urls import path

from . import views, views_manage, views_pickers

app_name = "places"
urlpatterns = [
    path("sites/", views.site_directory, name="site_directory"),
    path("sites/<id:site_id>/", views.site_detail, name="site_detail"),
    path("manage/", views_manage.manage_site_list, name="manage_sites"),
    path("manage/sites/new/", views_manage.manage_site_create, name="manage_site_create"),
    path("manage/sites/<id:site_id>/", views_manage.manage_site, name="manage_site"),
    path(
        "manage/sites/<id:site_id>/operators/",
        views_manage.manage_operator_add,
        name="manage_operator_add",
    ),
    path(
        "manage/sites/<id:site_id>/operators/<id:user_id>/remove/",
        views_manage.manage_operator_remove,
        name="manage_operator_remove",
    ),
    path(
        "manage/sites/<id:site_id>/venues/new/",
        views_manage.manage_venue_create,
        name="manage_venue_create",
    ),
    path("manage/venues/<id:venue_id>/", views_manage.manage_venue, name="manage_venue"),
    path("pick/sites/", views_pickers.pick_sites, name="pick_sites"),
    path("pick/regions/", views_pickers.pick_regions, name="pick_regions"),
]
