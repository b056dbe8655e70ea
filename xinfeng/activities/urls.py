from django.urls import path

from .views import lectures, manage, news, pickers, public, rooms

app_name = "activities"
urlpatterns = [
    path("", public.activity_list, name="list"),
    path("my/", public.my_signups, name="my"),
    path("<int:activity_id>/", public.activity_detail, name="detail"),
    path("<int:activity_id>/signup/", public.signup, name="signup"),
    path("<int:activity_id>/signup/cancel/", public.signup_cancel, name="signup_cancel"),
    path("<int:activity_id>/check/", public.check, name="check"),
    path("<int:activity_id>/scan/", public.scan, name="scan"),
    path("<int:activity_id>/watch/", lectures.watch, name="watch"),
    path("<int:activity_id>/watch/play/", lectures.watch_play, name="watch_play"),
    path("lectures/", lectures.lecture_list, name="lectures"),
    path("manage/", manage.manage_list, name="manage_list"),
    path("manage/new/", manage.manage_new, name="manage_new"),
    path("manage/pick/projects/", pickers.pick_projects, name="pick_projects"),
    path("manage/pick/venues/", pickers.pick_venues, name="pick_venues"),
    path("<int:activity_id>/manage/", manage.manage_detail, name="manage"),
    path("<int:activity_id>/manage/edit/", manage.manage_edit, name="manage_edit"),
    path("<int:activity_id>/manage/action/", manage.manage_action, name="manage_action"),
    path("<int:activity_id>/manage/headcount/", manage.manage_headcount, name="manage_headcount"),
    path("<int:activity_id>/manage/person/", manage.manage_person, name="manage_person"),
    path("<int:activity_id>/manage/hours/", manage.manage_hours, name="manage_hours"),
    path("<int:activity_id>/manage/report/", manage.manage_report, name="manage_report"),
    path("<int:activity_id>/qr.svg", manage.qr_svg, name="qr"),
    path("sites/<int:site_id>/settings/", manage.site_settings, name="site_settings"),
    path("venues/<int:venue_id>/", rooms.venue_calendar, name="venue_calendar"),
    path(
        "venues/<int:venue_id>/bookings/<int:booking_id>/cancel/",
        rooms.booking_cancel,
        name="booking_cancel",
    ),
    path("news/", news.news_list, name="news"),
    path("news/new/", news.news_new, name="news_new"),
    path("news/<int:news_id>/", news.news_detail, name="news_detail"),
    path("news/feed/", news.public_feed, name="news_feed"),
    path("calendar/", news.practice_calendar, name="calendar"),
    path("calendar.ics", news.calendar_ics, name="calendar_ics"),
    path("audience/", news.audience, name="audience"),
]
