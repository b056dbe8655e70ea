from django.urls import path
from django.views.generic import RedirectView

from . import views_care
from .views import create, detail, lists

app_name = "orders"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:mine"), name="index"),
    path("new/", create.order_new, name="new"),
    path("care/", views_care.order_care, name="care"),
    path("new/staff/", create.order_new_staff, name="new_staff"),
    path("mine/", lists.my_orders, name="mine"),
    path("queue/", lists.queue, name="queue"),
    path("team/", lists.team_inbox, name="team"),
    path("auto-dispatch/", lists.auto_dispatch, name="auto_dispatch"),
    path("follow-ups/", lists.follow_ups, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/", lists.follow_up_close, name="follow_up"),
    path("<int:order_id>/", detail.order_detail, name="detail"),
    path("<int:order_id>/rate/", detail.order_rate, name="rate"),
    path("<int:order_id>/members/pick/", detail.member_pick, name="pick_members"),
    path("<int:order_id>/<slug:action>/", detail.order_act, name="act"),
]
