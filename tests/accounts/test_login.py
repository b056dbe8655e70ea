from django.test import override_settings

from tests.factories import UserFactory


def test_login_with_phone(client, db):
    UserFactory(username="wang", phone="13900000000")
    response = client.post(
        "/accounts/login/", {"identifier": "13900000000", "password": "pass-12345"}
    )
    assert response.status_code == 302
    assert client.get("/api/v1/accounts/me").json()["username"] == "wang"


def test_wrong_password_is_refused_with_message(client, db):
    UserFactory(username="wang")
    response = client.post("/accounts/login/", {"identifier": "wang", "password": "nope"})
    assert response.status_code == 400
    assert "密码错误" in response.content.decode()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_login_is_throttled_after_repeated_failures(client, db):
    UserFactory(username="wang")
    for _ in range(3):
        client.post("/accounts/login/", {"identifier": "wang", "password": "nope"})
    response = client.post("/accounts/login/", {"identifier": "wang", "password": "pass-12345"})
    assert response.status_code == 429
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_bad_bearer_token_gets_401(client, db):
    response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION="Bearer nonsense")
    assert response.status_code == 401


def test_bearer_token_authenticates(api_as, owner):
    assert api_as(owner).get("/api/v1/accounts/me").json()["roles"][0]["role"] == "institute_admin"
