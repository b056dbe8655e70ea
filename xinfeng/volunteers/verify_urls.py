"""The public certificate verification page, mounted at ``/verify/<number>`` by
``xinfeng/urls.py`` (outside ``/volunteers/`` so the QR payload stays short)."""

from django.urls import path

from xinfeng.volunteers.views import profiles as views

urlpatterns = [path("", views.certificate_verify, name="certificate_verify")]
