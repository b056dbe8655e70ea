from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("me/", views.me_view, name="me"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<id:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
]
