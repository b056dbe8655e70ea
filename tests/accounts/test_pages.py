"""Account pages: log in and out, change the password, the "me" page, API tokens."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import UserFactory
from xinfeng.accounts.models import ApiToken


@pytest.fixture
def wang(db):
    return UserFactory(username="wang", phone="13900000000", display_name="王芳")


@pytest.fixture
def session(wang):
    client = Client()
    client.force_login(wang)
    return client


def test_login_page_renders_with_labels(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_identifier">用户名或手机号' in html
    assert '<label for="id_password">密码' in html


def test_login_with_username_goes_to_next(client, wang):
    response = client.post(
        "/accounts/login/",
        {"identifier": "wang", "password": "pass-12345", "next": "/places/sites/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/places/sites/"


def test_login_refuses_offsite_next(client, wang):
    response = client.post(
        "/accounts/login/",
        {"identifier": "wang", "password": "pass-12345", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_empty_login_form_is_400_with_field_errors(client, db):
    response = client.post("/accounts/login/", {"identifier": "", "password": ""})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()


def test_logout_needs_post_and_ends_the_session(session):
    assert session.get("/accounts/logout/").status_code == 405
    response = session.post("/accounts/logout/", follow=True)
    assert "您已退出登录" in response.content.decode()
    assert session.get("/api/v1/accounts/me").status_code == 401


def test_password_change_then_login_with_the_new_one(session, wang):
    response = session.post(
        "/accounts/password/",
        {
            "old_password": "pass-12345",
            "new_password1": "Gongqing-2021-xf",
            "new_password2": "Gongqing-2021-xf",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    # Still signed in on this session (the session hash was updated).
    assert session.get("/api/v1/accounts/me").status_code == 200
    fresh = Client()
    refused = fresh.post("/accounts/login/", {"identifier": "wang", "password": "pass-12345"})
    assert refused.status_code == 400
    accepted = fresh.post(
        "/accounts/login/", {"identifier": "13900000000", "password": "Gongqing-2021-xf"}
    )
    assert accepted.status_code == 302


def test_password_change_with_wrong_old_password_is_400(session):
    response = session.post(
        "/accounts/password/",
        {
            "old_password": "wrong",
            "new_password1": "Gongqing-2021-xf",
            "new_password2": "Gongqing-2021-xf",
        },
    )
    assert response.status_code == 400
    assert "旧密码不正确" in response.content.decode()


def test_password_change_rejects_weak_password(session):
    response = session.post(
        "/accounts/password/",
        {"old_password": "pass-12345", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 400
    assert "密码只包含数字" in response.content.decode()


def test_me_page_shows_name_phone_and_roles(owner):
    owner.phone = "13700000000"
    owner.save()
    client = Client()
    client.force_login(owner)
    html = client.get("/accounts/me/").content.decode()
    assert owner.display_name in html
    assert "13700000000" in html
    assert "实践所管理员" in html and "苏家垱乡" in html
    assert 'href="/accounts/tokens/"' in html


def test_token_created_on_the_page_works_once_shown_then_revoked(session, wang):
    response = session.post("/accounts/tokens/", {"name": "数据大屏"})
    assert response.status_code == 201
    raw = re.search(
        r'<code class="token" id="new-token">(xf_[^<]+)</code>', response.content.decode()
    )
    assert raw, "the new token is shown once"
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw.group(1)}")
    assert api.get("/api/v1/accounts/me").json()["username"] == "wang"
    # Listed afterwards by prefix only, never in full.
    html = session.get("/accounts/tokens/").content.decode()
    assert "数据大屏" in html and raw.group(1) not in html
    token = ApiToken.objects.get(user=wang, name="数据大屏")
    assert session.post(f"/accounts/tokens/{token.id}/revoke/").status_code == 302
    assert api.get("/api/v1/accounts/me").status_code == 401


def test_over_long_token_name_is_400(session):
    response = session.post("/accounts/tokens/", {"name": "长" * 81})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_token_api_create_list_revoke(api_as, wang):
    client = api_as(wang)
    created = client.post(
        "/api/v1/accounts/tokens", {"name": "脚本"}, content_type="application/json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("xf_") and body["prefix"] == body["token"][3:11]
    listed = client.get("/api/v1/accounts/tokens").json()
    assert "token" not in listed[0]
    assert {t["name"] for t in listed} == {"脚本", "test"}
    assert client.delete(f"/api/v1/accounts/tokens/{body['id']}").status_code == 204
    new_client = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert new_client.get("/api/v1/accounts/me").status_code == 401


def test_create_api_token_command_prints_a_working_token(wang, capsys):
    call_command("create_api_token", "13900000000", "--name", "cron")
    raw = capsys.readouterr().out.strip()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/accounts/me").json()["username"] == "wang"


def test_create_api_token_for_unknown_user_fails(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such user"):
        call_command("create_api_token", "nobody")


def test_session_write_without_csrf_is_refused(wang, tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(wang)
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
