"""`manage.py check --deploy` with the production environment of docs/operations.md prints
no warning (issue 10, defect 8); the switches for a proxy that does TLS keep it quiet; bad
production secrets and hosts stop the start with a clear message."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFENG_", "DJANGO_"))}
    env.update(
        # As in docs/operations.md "Deploying on one machine".
        XINFENG_DEBUG="0",
        XINFENG_SECRET_KEY=secrets.token_urlsafe(48),
        XINFENG_FIELD_KEY=secrets.token_urlsafe(48),
        XINFENG_ALLOWED_HOSTS="xinfeng.example.cn",
        XINFENG_CSRF_TRUSTED_ORIGINS="https://xinfeng.example.cn",
        XINFENG_TRUSTED_PROXIES="1",
        XINFENG_HTTPS_PROXY="1",
        XINFENG_CONN_MAX_AGE="60",
        XINFENG_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    env.update(extra)
    return env


def check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_give_no_warning(tmp_path):
    r = check_deploy(production_env(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNINGS" not in r.stderr + r.stdout
    assert "no issues" in r.stdout


def test_behind_a_proxy_that_redirects_and_sends_hsts(tmp_path):
    env = production_env(tmp_path, XINFENG_SSL_REDIRECT="0", XINFENG_HSTS_SECONDS="0")
    r = check_deploy(env)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize(
    "override,message",
    [
        ({"XINFENG_SECRET_KEY": "short"}, "XINFENG_SECRET_KEY must be a long random value"),
        ({"XINFENG_SECRET_KEY": "a" * 60}, "XINFENG_SECRET_KEY must be a long random value"),
        ({"XINFENG_ALLOWED_HOSTS": ""}, "XINFENG_ALLOWED_HOSTS must be set"),
    ],
)
def test_weak_secret_or_no_host_stops_the_start(tmp_path, override, message):
    r = check_deploy(production_env(tmp_path, **override))
    assert r.returncode != 0 and message in r.stderr
