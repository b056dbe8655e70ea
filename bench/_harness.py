"""What every benchmark does first: run Django on a throw-away var/ directory with production
settings that speak plain HTTP to the test client (no HTTPS redirect, no HSTS), quiet logs,
fast password hashing, and the database of ``XINFENG_BENCH_DATABASE_URL`` (else SQLite)."""

import os
import secrets


def setup_django(tmp: str, *, hosts: str = "testserver", env: dict | None = None) -> None:
    os.environ["XINFENG_VAR_DIR"] = tmp
    os.environ["XINFENG_DEBUG"] = "0"
    os.environ["XINFENG_SSL_REDIRECT"] = "0"  # the test client speaks plain HTTP
    os.environ["XINFENG_HSTS_SECONDS"] = "0"
    os.environ.setdefault("XINFENG_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("XINFENG_FIELD_KEY", secrets.token_urlsafe(32))
    os.environ["XINFENG_ALLOWED_HOSTS"] = hosts
    os.environ["XINFENG_FAST_PASSWORD_HASHER"] = "1"
    os.environ["XINFENG_LOG_LEVEL"] = "ERROR"
    os.environ.update(env or {})
    if os.environ.get("XINFENG_BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["XINFENG_BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "xinfeng.settings"
    import django

    django.setup()
