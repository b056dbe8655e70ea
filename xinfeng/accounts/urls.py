from django.urls import path

from . import care, views, views_data, views_phone

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("me/", views.me_view, name="me"),
    path("care/", care.care_toggle_view, name="care"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<id:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    # Phone flows: the number, then the code (views_phone).
    path("signup/", views_phone.signup_view, name="signup"),
    path("signup/verify/", views_phone.signup_verify_view, name="signup_verify"),
    path("login/code/", views_phone.login_code_view, name="login_code"),
    path("login/code/verify/", views_phone.login_code_verify_view, name="login_code_verify"),
    path("password/reset/", views_phone.password_reset_view, name="password_reset"),
    path(
        "password/reset/verify/",
        views_phone.password_reset_verify_view,
        name="password_reset_verify",
    ),
    path("phone/", views_phone.phone_change_view, name="phone_change"),
    path("phone/verify/", views_phone.phone_change_verify_view, name="phone_change_verify"),
    # 我的数据 (views_data).
    path("me/data/", views_data.my_data_view, name="my_data"),
    path(
        "me/data/export.json", views_data.my_data_export_view, {"fmt": "json"}, name="export_json"
    ),
    path(
        "me/data/export.xlsx", views_data.my_data_export_view, {"fmt": "xlsx"}, name="export_xlsx"
    ),
    path("me/data/consents/<str:kind>/", views_data.consent_view, name="consent"),
    path("me/data/close/", views_data.close_view, name="close"),
]
