"""Who a bearer token stands for is cached per web process (accounts/middleware.py) under
a version shared through Django's cache. These tests prove that a warm request reads no
token or user row, that a revoked token, a deactivated user and a changed role are seen
by the very next request — in another process too when the cache is Redis — and that
without Redis another process refuses a revoked token within ``API_TOKEN_CACHE_SECONDS``.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from xinfeng.accounts import middleware
from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import ApiToken, RoleAssignment
from xinfeng.accounts.services import api_token_revoke

from ..factories import UserFactory, grant

REDIS_URL = os.environ.get("XINFENG_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _client(user) -> tuple[ApiToken, Client]:
    token, raw = ApiToken.issue(user=user, name="test")
    return token, Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _token_queries(ctx) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "accounts_apitoken" in q["sql"] or 'FROM "accounts_user"' in q["sql"]
    ]


@pytest.mark.django_db
def test_a_warm_request_reads_no_token_and_a_revoked_token_is_refused_next(tree):
    user = grant(UserFactory(username="r1"), Role.RESIDENT, tree.v1)
    token, client = _client(user)
    assert client.get("/api/v1/accounts/me").json()["username"] == "r1"
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/accounts/me").status_code == 200
    assert _token_queries(ctx) == []  # answered from the cache
    resp = client.delete(f"/api/v1/accounts/tokens/{token.pk}")
    assert resp.status_code == 204
    assert client.get("/api/v1/accounts/me").status_code == 401


@pytest.mark.django_db
def test_a_revoke_by_the_service_and_a_deactivation_are_seen_at_once(tree):
    user = grant(UserFactory(username="r2"), Role.RESIDENT, tree.v1)
    token, client = _client(user)
    other_token, other = _client(user)
    assert client.get("/api/v1/accounts/me").status_code == 200
    assert other.get("/api/v1/accounts/me").status_code == 200
    api_token_revoke(user=user, token=token)
    assert client.get("/api/v1/accounts/me").status_code == 401
    assert other.get("/api/v1/accounts/me").status_code == 200  # only that token
    user.is_active = False
    user.save()
    assert other.get("/api/v1/accounts/me").status_code == 401


@pytest.mark.django_db
def test_cached_roles_follow_a_role_change_and_requests_do_not_share_a_user(tree):
    user = grant(UserFactory(username="r3"), Role.RESIDENT, tree.v1)
    _token, client = _client(user)
    assert client.get("/api/v1/accounts/me").json()["is_system_admin"] is False
    assert client.get("/api/v1/accounts/me").json()["is_system_admin"] is False  # cached roles
    grant(user, Role.SYSTEM_ADMIN, tree.city)
    assert client.get("/api/v1/accounts/me").json()["is_system_admin"] is True
    RoleAssignment.objects.filter(user=user, role=Role.SYSTEM_ADMIN).get().delete()
    assert client.get("/api/v1/accounts/me").json()["is_system_admin"] is False
    first, _ = middleware.token_user(client.defaults["HTTP_AUTHORIZATION"][7:])
    second, _ = middleware.token_user(client.defaults["HTTP_AUTHORIZATION"][7:])
    assert first == second and first is not second
    first.display_name = "改了"
    assert second.display_name != "改了"


@pytest.mark.django_db
def test_a_login_keeps_the_cache_and_a_bad_token_is_401(tree):
    user = grant(UserFactory(username="r4"), Role.RESIDENT, tree.v1)
    _token, client = _client(user)
    assert client.get("/api/v1/accounts/me").status_code == 200
    from django.contrib.auth.models import update_last_login

    update_last_login(None, user)  # saves last_login alone
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/accounts/me").status_code == 200
    assert _token_queries(ctx) == []
    bad = Client(HTTP_AUTHORIZATION="Bearer xf_not-a-token")
    assert bad.get("/api/v1/accounts/me").status_code == 401


# --- another process -----------------------------------------------------------------------

CHILD = """
import sys
import django
django.setup()
from django.conf import settings
from django.test.utils import setup_test_environment
setup_test_environment()
settings.API_TOKEN_CACHE_SECONDS = float(sys.argv[1])
from django.test import Client
for line in sys.stdin:
    raw = line.strip()
    if not raw:
        break
    r = Client(HTTP_AUTHORIZATION="Bearer " + raw).get("/api/v1/accounts/me")
    print(r.status_code, flush=True)
"""


def _redis_up() -> bool:
    host_port = REDIS_URL.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        socket.create_connection((host, int(port or 6379)), timeout=0.5).close()
    except OSError:
        return False
    return True


class Child:
    """Another web process: answers ``GET /api/v1/accounts/me`` with a token per line."""

    def __init__(self, *, redis: bool, seconds: float):
        db = connection.settings_dict
        env = dict(os.environ)
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db.get('HOST') or '127.0.0.1'}:"
            f"{db.get('PORT') or 5432}/{db['NAME']}"
        )
        env.pop("REDIS_URL", None)
        if redis:
            env["REDIS_URL"] = REDIS_URL
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(seconds)],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def ask(self, raw: str) -> int:
        self.proc.stdin.write(raw + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(self.proc.stderr.read()[-2000:])
        return int(line)

    def close(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        self.proc.wait(30)


@pytest.mark.django_db(transaction=True)
def test_with_redis_another_process_refuses_a_revoked_token_on_its_next_request(
    postgres_only, tree
):
    if not _redis_up():
        pytest.skip(f"no Redis at {REDIS_URL}")
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    caches["default"]["LOCATION"] = REDIS_URL
    with override_settings(CACHES=caches):
        user = grant(UserFactory(username="r5"), Role.RESIDENT, tree.v1)
        token, raw = ApiToken.issue(user=user, name="test")
        # A long lifetime: only the shared version can make the other process refuse it.
        child = Child(redis=True, seconds=300)
        try:
            assert child.ask(raw) == 200
            assert child.ask(raw) == 200  # now from its cache
            api_token_revoke(user=user, token=token)
            assert child.ask(raw) == 401
        finally:
            child.close()


@pytest.mark.django_db(transaction=True)
def test_without_redis_another_process_refuses_a_revoked_token_within_the_bound(
    postgres_only, tree
):
    user = grant(UserFactory(username="r6"), Role.RESIDENT, tree.v1)
    token, raw = ApiToken.issue(user=user, name="test")
    bound = 1.0
    child = Child(redis=False, seconds=bound)
    try:
        assert child.ask(raw) == 200
        api_token_revoke(user=user, token=token)
        time.sleep(bound + 0.2)
        assert child.ask(raw) == 401
    finally:
        child.close()
