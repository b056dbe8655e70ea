from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("sites/", views.site_directory, name="site_directory"),
    path("sites/<int:site_id>/", views.site_detail, name="site_detail"),
]
