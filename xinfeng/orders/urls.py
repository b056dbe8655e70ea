from django.urls import path
from django.views.generic import RedirectView

from . import views, views_care

app_name = "orders"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:mine"), name="index"),
    path("new/", views.order_new, name="new"),
    path("care/", views_care.order_care, name="care"),
    path("new/staff/", views.order_new_staff, name="new_staff"),
    path("mine/", views.my_orders, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("team/", views.team_inbox, name="team"),
    path("auto-dispatch/", views.auto_dispatch, name="auto_dispatch"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/", views.follow_up_close, name="follow_up"),
    path("<int:order_id>/", views.order_detail, name="detail"),
    path("<int:order_id>/rate/", views.order_rate, name="rate"),
    path("<int:order_id>/members/pick/", views.member_pick, name="pick_members"),
    path("<int:order_id>/<slug:action>/", views.order_act, name="act"),
]
