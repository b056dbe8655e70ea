from django.urls import path

from xinfeng.volunteers.views import disputes as views_disputes
from xinfeng.volunteers.views import exchange_staff
from xinfeng.volunteers.views import pickers as views_pickers
from xinfeng.volunteers.views import profiles as views
from xinfeng.volunteers.views import staff as views_staff
from xinfeng.volunteers.views import teams as views_teams

app_name = "volunteers"
urlpatterns = [
    path("", views.me, name="me"),
    path("register/", views.register, name="register"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("me/edit/", views.me_edit, name="me_edit"),
    path("me/consent/", views.me_consent, name="me_consent"),
    path("me/hours/", views.me_hours, name="me_hours"),
    path(
        "me/hours/<int:record_id>/dispute/",
        views_disputes.me_hours_dispute,
        name="me_hours_dispute",
    ),
    path("hours/disputes/", views_disputes.disputes, name="hours_disputes"),
    path("me/points/", views.me_points, name="me_points"),
    path("me/certificates/", views.me_certificates, name="me_certificates"),
    path("me/teams/", views.me_teams, name="me_teams"),
    path("reveal/<int:volunteer_id>/<str:field>/", views.reveal, name="reveal"),
    path("certificates/<int:certificate_id>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("exchange/", views.love_supermarket, name="exchange"),
    path("exchange/<int:reward_id>/redeem/", views.redeem, name="redeem"),
    path(
        "redemptions/<int:redemption_id>/cancel/",
        views.redemption_cancel,
        name="redemption_cancel",
    ),
    path("pick/sites/", views_pickers.pick_sites, name="pick_sites"),
    path("pick/teams/", views_pickers.pick_teams, name="pick_teams"),
    path("teams/", views_teams.team_directory, name="team_directory"),
    path("teams/new/", views_staff.team_create, name="team_create"),
    path("teams/<int:team_id>/", views_teams.team_detail, name="team_detail"),
    path("teams/<int:team_id>/edit/", views_staff.team_edit, name="team_edit"),
    path("teams/<int:team_id>/join/", views_teams.team_join, name="team_join"),
    path("teams/<int:team_id>/members/", views_teams.team_add_member, name="team_add_member"),
    path(
        "memberships/<int:membership_id>/<str:action>/",
        views_teams.membership_action,
        name="membership_action",
    ),
    path("manage/", views_staff.volunteer_list, name="staff_volunteers"),
    path("manage/new/", views_staff.volunteer_create, name="staff_volunteer_create"),
    path("manage/<int:volunteer_id>/", views_staff.volunteer_detail, name="staff_volunteer"),
    path("manage/<int:volunteer_id>/backfill/", views_staff.backfill, name="staff_backfill"),
    path(
        "manage/<int:volunteer_id>/certificate/",
        views_staff.certificate_issue,
        name="staff_certificate_issue",
    ),
    path(
        "manage/<int:volunteer_id>/guardian/",
        views_staff.guardian_consent,
        name="staff_guardian_consent",
    ),
    path(
        "manage/certificates/<int:certificate_id>/revoke/",
        views_staff.certificate_revoke,
        name="staff_certificate_revoke",
    ),
    path("manage/records/", views_staff.record_list, name="staff_records"),
    path(
        "manage/records/<int:record_id>/correct/",
        views_staff.record_correct,
        name="staff_record_correct",
    ),
    path("manage/imports/", views_staff.import_list, name="staff_imports"),
    path("manage/imports/template.xlsx", views_staff.import_template, name="import_template"),
    path("manage/imports/<int:import_id>/", views_staff.import_detail, name="staff_import"),
    path("manage/exchange/", exchange_staff.exchange_counter, name="staff_exchange"),
    path(
        "manage/rewards/<int:reward_id>/restock/",
        exchange_staff.reward_restock,
        name="staff_reward_restock",
    ),
    path(
        "manage/redemptions/<int:redemption_id>/deliver/",
        exchange_staff.redemption_deliver,
        name="staff_redemption_deliver",
    ),
]
