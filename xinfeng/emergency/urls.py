from django.urls import path

from .views import callouts, incidents, public, rosters, stations

app_name = "emergency"
urlpatterns = [
    path("", incidents.incident_list, name="list"),
    path("new/", incidents.incident_declare, name="declare"),
    path("<int:pk>/", incidents.incident_detail, name="detail"),
    path("<int:pk>/close/", incidents.incident_close, name="close"),
    path("needs/<int:pk>/commit/", incidents.need_commit, name="need_commit"),
    path("needs/<int:pk>/close/", incidents.need_close, name="need_close"),
    path("sitreps/<int:pk>.<str:fmt>", incidents.sitrep_file, name="sitrep_file"),
    path("callouts/<int:pk>/", callouts.board, name="board"),
    path("callouts/<int:pk>/board/", callouts.board_fragment, name="board_fragment"),
    path("callouts/<int:pk>/close/", callouts.close, name="callout_close"),
    path("callouts/<int:pk>/arrived/<int:rid>/", callouts.mark_arrived, name="mark_arrived"),
    path("a/<str:token>/", callouts.answer, name="answer"),
    path("stations/<int:pk>/", stations.station_detail, name="station"),
    path("stations/<int:pk>/close/", stations.station_close, name="station_close"),
    path("stations/<int:pk>/qr.svg", stations.station_qr, name="station_qr"),
    path("s/<str:token>/", stations.self_checkin, name="self_checkin"),
    path("teams/<int:pk>/roster/", rosters.team_roster, name="roster"),
    path("me/", rosters.my_profile, name="me"),
    path("cap.xml", public.cap_feed, name="cap_feed"),
    path("cap/<uuid:identifier>.xml", public.cap_alert, name="cap_alert"),
]
