from django.urls import path

from . import views

app_name = "sync"

urlpatterns = [
    path("", views.dead_letters, name="dead_letters"),
    path("rows/<int:pk>/retry", views.retry, name="retry"),
    path("targets/<str:target>/pause", views.pause, name="pause"),
    path("targets/<str:target>/reconciliation.csv", views.reconciliation, name="reconciliation"),
]
