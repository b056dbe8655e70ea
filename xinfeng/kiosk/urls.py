from django.urls import path

from . import views

app_name = "kiosk"
urlpatterns = [
    path("devices/", views.devices, name="devices"),
    path("me/qr/", views.me_qr, name="me_qr"),
    path("walk-ins/<int:walk_in_id>/confirm/", views.walk_in_confirm, name="walk_in_confirm"),
    path("devices/<int:device_id>/revoke/", views.device_revoke, name="revoke"),
    path("<int:site_id>/", views.home, name="home"),
    path("<int:site_id>/pair/", views.pair, name="pair"),
    path("<int:site_id>/code/", views.code_request_view, name="code"),
    path("<int:site_id>/code/verify/", views.code_verify_view, name="code_verify"),
    path("<int:site_id>/walk-in/", views.walk_in, name="walk_in"),
    path("<int:site_id>/qr/", views.qr_view, name="qr"),
    path("<int:site_id>/order/", views.order, name="order"),
    path("<int:site_id>/activities/", views.activities, name="activities"),
    path("<int:site_id>/done/", views.done, name="done"),
    path("<int:site_id>/end/", views.end, name="end"),
]
