"""Xinfeng settings: one module, configured from the environment.

Secrets never live in the repository. In development (``XINFENG_DEBUG=1``, the default
for ``make run``) missing secrets are generated once into ``var/`` (git-ignored) so a
fresh machine works with no set-up; in production (``XINFENG_DEBUG=0``) they must be set.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XINFENG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("XINFENG_DEBUG", True)


def _secret(name: str) -> str:
    """Read a secret from the environment; in development, create one in var/ once."""
    value = os.environ.get(name)
    if value:
        return value
    if not DEBUG:
        raise RuntimeError(f"{name} must be set in the environment when XINFENG_DEBUG=0")
    path = VAR_DIR / f"{name.lower()}.secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret("XINFENG_SECRET_KEY")
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise RuntimeError(
        "XINFENG_SECRET_KEY must be a long random value (50+ characters), e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
    )
# Key for personal data encrypted at rest (ID numbers) and the keyed hash used to find
# duplicates. Rotating it needs a re-encryption run; see docs/operations.md.
FIELD_ENCRYPTION_KEY = _secret("XINFENG_FIELD_KEY")

ALLOWED_HOSTS = [h for h in os.environ.get("XINFENG_ALLOWED_HOSTS", "").split(",") if h] or (
    ["*"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    # Django would answer 400 to every request; say why at start-up instead.
    raise RuntimeError("XINFENG_ALLOWED_HOSTS must be set when XINFENG_DEBUG=0")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("XINFENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "xinfeng.core",
    "xinfeng.regions",
    "xinfeng.places",
    "xinfeng.accounts",
    "xinfeng.notifications",
    "xinfeng.volunteers",
    "xinfeng.projects",
    "xinfeng.orders",
    "xinfeng.activities",
    "xinfeng.surveys",
    "xinfeng.emergency",
    "xinfeng.insights",
    "xinfeng.open311",
    "xinfeng.sync",
    "xinfeng.assessment",
    "xinfeng.kiosk",
    "xinfeng.workplans",
    "xinfeng.governance",
    "xinfeng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xinfeng.core.security.SecurityHeadersMiddleware",
    "xinfeng.core.security.DebugPagesLocalOnlyMiddleware",
    "xinfeng.core.middleware.HttpMethodsMiddleware",
    "xinfeng.core.middleware.RequestBodyGuardMiddleware",
    "xinfeng.core.middleware.RejectNulMiddleware",
    "xinfeng.core.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A warm anonymous hit of the public read cache, answered before the rest (publiccache).
    "xinfeng.core.publiccache.EarlyPublicReadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "xinfeng.kiosk.middleware.KioskCredentialMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xinfeng.accounts.middleware.BearerTokenMiddleware",
    "xinfeng.governance.middleware.DepartmentReadOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xinfeng.core.pages.PageErrorsMiddleware",
    "xinfeng.core.middleware.OutOfRangeMiddleware",
    "xinfeng.core.publiccache.PublicReadCacheMiddleware",
]

ROOT_URLCONF = "xinfeng.urls"
WSGI_APPLICATION = "xinfeng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xinfeng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinfeng.context_processors.menu",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xinfeng.sqlite3'}"),
        conn_max_age=int(os.environ.get("XINFENG_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server share the file; IMMEDIATE transactions make
    # writers queue instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("XINFENG_SQLITE_TEST_NAME")}
else:
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("XINFENG_PG_TEST_NAME") or "test_" + DATABASES["default"]["NAME"]
    }

# Behind PgBouncer in transaction mode (docs/operations.md) a server connection changes
# between transactions: no server-side cursors and no prepared statements (PgBouncer 1.18).
if os.environ.get("XINFENG_DB_POOLER") == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
# Django's built-in psycopg pool, one per process (measured against PgBouncer in
# docs/operations.md): XINFENG_DB_POOL=1; it replaces persistent connections (CONN_MAX_AGE).
elif os.environ.get("XINFENG_DB_POOL") == "1" and DATABASES["default"]["ENGINE"].endswith(
    "postgresql"
):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("XINFENG_DB_POOL_MAX", "8")),
    }

# Read replicas (issue 18, docs/operations.md): DATABASE_REPLICA_URLS, comma-separated
# PostgreSQL hot standbys. Reads go there (xinfeng.core.db_router), writes, locks,
# transactions and the worker stay on the primary; a person reads the primary for a few
# seconds after writing. In tests a replica mirrors the test database.
DATABASE_REPLICAS: list[str] = []
for _n, _url in enumerate(
    [u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()], 1
):
    DATABASES[f"replica_{_n}"] = dj_database_url.parse(
        _url, conn_max_age=int(os.environ.get("XINFENG_CONN_MAX_AGE", "0"))
    )
    DATABASES[f"replica_{_n}"]["OPTIONS"] = {"connect_timeout": 2}
    DATABASES[f"replica_{_n}"]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(f"replica_{_n}")
DATABASE_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("XINFENG_REPLICA_MAX_LAG_SECONDS", "5"))
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("XINFENG_REPLICA_CHECK_SECONDS", "2"))
DATABASE_READ_YOUR_WRITES_SECONDS = int(os.environ.get("XINFENG_READ_YOUR_WRITES_SECONDS", "10"))
DB_ROUTER = "xinfeng.core.db_router.PrimaryReplicaRouter"
DB_RYW_MIDDLEWARE = "xinfeng.core.db_router.ReadYourWritesMiddleware"
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = [DB_ROUTER]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        DB_RYW_MIDDLEWARE,
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["xinfeng.accounts.backends.PhoneOrUsernameBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env_bool("XINFENG_FAST_PASSWORD_HASHER", False):
    # Tests and demo seeding: hashing thousands of demo passwords with PBKDF2 takes minutes.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Login throttling: this many failures per identifier or per IP within the window lock
# further attempts until the window passes.
LOGIN_FAILURE_LIMIT = int(os.environ.get("XINFENG_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("XINFENG_LOGIN_FAILURE_WINDOW", "900"))

# Sign-up and sign-in by phone (accounts.codes; see docs/architecture.md "Sign-up and
# sign-in"). Codes: 6 digits, valid XINFENG_SMS_CODE_TTL s, at most MAX_TRIES wrong tries;
# sends: one per number per INTERVAL s, PER_DAY per number, PER_IP_HOUR per client address.
XINFENG_SMS_CODE_TTL = int(os.environ.get("XINFENG_SMS_CODE_TTL", "300"))
XINFENG_SMS_CODE_MAX_TRIES = int(os.environ.get("XINFENG_SMS_CODE_MAX_TRIES", "5"))
XINFENG_SMS_INTERVAL = int(os.environ.get("XINFENG_SMS_INTERVAL", "60"))
XINFENG_SMS_PER_DAY = int(os.environ.get("XINFENG_SMS_PER_DAY", "10"))
XINFENG_SMS_PER_IP_HOUR = int(os.environ.get("XINFENG_SMS_PER_IP_HOUR", "20"))
# The SMS backend for codes and notifications: the development backend (log + the
# accounts.DevSms table) unless a gateway is named, e.g.
# xinfeng.notifications.channels.HttpSmsGateway (its XINFENG_SMS_GATEWAY_URL, _SIGN_NAME,
# _TEMPLATE_CODE… come from the environment).
XINFENG_SMS_BACKEND = os.environ.get(
    "XINFENG_SMS_BACKEND", "xinfeng.notifications.channels.LoggingSmsBackend"
)
# The privacy notice a person accepts at sign-up (recorded with its version).
XINFENG_PRIVACY_NOTICE_VERSION = "2026-12"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "xinfeng" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_root"
STATICFILES_DIRS = [BASE_DIR / "xinfeng" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("XINFENG_MEDIA_ROOT", VAR_DIR / "media"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Without REDIS_URL each process keeps its own cache. Django's default of 300 entries is
# less than one county's public pages (a site page, an activity page each) plus the
# versions, tokens and routing entries: past it, a third of the entries are dropped at once.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("XINFENG_LOCAL_CACHE_ENTRIES", "3000"))},
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
# How long a public read cache entry lives (core.publiccache). Writes change the versions at
# once (in every process with REDIS_URL); the TTL bounds what no write announces: without
# REDIS_URL a write made by another process, and time itself (an activity that has started
# leaves the upcoming list, its page stops offering sign-up).
PUBLIC_CACHE_TTL = int(os.environ.get("XINFENG_PUBLIC_CACHE_TTL", "60"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("XINFENG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Several workers share the queue (xinfeng.core.workers): each refreshes a heartbeat; a job
# left running by a worker silent for WORKER_STALE_SECONDS is put back in the queue.
# A recompute of the dashboards' rollups after a change starts at most once per this many
# seconds (the dashboards are at most this much behind a change; insights/tasks.py).
ROLLUP_CHANGE_GAP_SECONDS = float(os.environ.get("XINFENG_ROLLUP_CHANGE_GAP_SECONDS", "10"))
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("XINFENG_WORKER_HEARTBEAT_SECONDS", "5"))
WORKER_STALE_SECONDS = float(os.environ.get("XINFENG_WORKER_STALE_SECONDS", "60"))

# Sync to the provincial and national platforms (issue 17, docs/sync.md). Per target:
# XINFENG_SYNC_<TARGET>_URL (empty = target off), _TOKEN (sent as Bearer), _INBOUND_TOKEN
# (what the target presents when it pushes records down), _BATCH (rows per request, 1 =
# one request per row), _TIMEOUT (s), _ADAPTER (module; default xinfeng.sync.adapters.<t>_v1).
XINFENG_SYNC = {
    "targets": {
        _t: {
            _k: os.environ.get(f"XINFENG_SYNC_{_t.upper()}_{_k.upper()}", "")
            for _k in ("url", "token", "inbound_token", "batch", "timeout", "adapter")
        }
        for _t in os.environ.get("XINFENG_SYNC_TARGETS", "provincial,national").split(",")
        if _t
    },
    "max_attempts": int(os.environ.get("XINFENG_SYNC_MAX_ATTEMPTS", "8")),
    "lease_seconds": float(os.environ.get("XINFENG_SYNC_LEASE_SECONDS", "120")),
    "relay_every_seconds": float(os.environ.get("XINFENG_SYNC_RELAY_EVERY", "5")),
}

EMAIL_BACKEND = os.environ.get(
    "XINFENG_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("XINFENG_FROM_EMAIL", "noreply@xinfeng.local")

# Map tiles: empty means no tiles (the map draws region boundaries on a plain background
# so it works offline). Set to e.g. an internal tile server URL. XINFENG_TILE_CRS=gcj02
# converts WGS-84 coordinates for GCJ-02 tile services (AMap, Tencent).
MAP_TILE_URL = os.environ.get("XINFENG_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("XINFENG_TILE_ATTRIBUTION", "")
MAP_TILE_CRS = os.environ.get("XINFENG_TILE_CRS", "wgs84")

# Behind a reverse proxy (nginx, a load balancer): how many proxies append to
# X-Forwarded-For, so the client's address (login throttling, audit) is read from it;
# 0 means "use the socket address". XINFENG_HTTPS_PROXY=1 trusts X-Forwarded-Proto: https.
XINFENG_TRUSTED_PROXIES = int(os.environ.get("XINFENG_TRUSTED_PROXIES", "0"))
if env_bool("XINFENG_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Production is HTTPS only: redirect plain HTTP and send HSTS (one year, subdomains,
# preload-ready) unless XINFENG_DEBUG=1. Behind a proxy that already redirects and sends
# HSTS itself, switch either off (XINFENG_SSL_REDIRECT=0, XINFENG_HSTS_SECONDS=0): the
# operator has said the proxy does it, so `check --deploy` is told not to warn about it.
SECURE_SSL_REDIRECT = env_bool("XINFENG_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("XINFENG_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("XINFENG_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("XINFENG_HSTS_PRELOAD", True)
SILENCED_SYSTEM_CHECKS = []
if not DEBUG and "XINFENG_SSL_REDIRECT" in os.environ and not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS.append("security.W008")
if not DEBUG and "XINFENG_HSTS_SECONDS" in os.environ and not SECURE_HSTS_SECONDS:
    SILENCED_SYSTEM_CHECKS.append("security.W004")
# Tracebacks (with local variables) are shown only to a loopback client even when DEBUG is
# on (xinfeng.core.security.DebugPagesLocalOnlyMiddleware).
DEFAULT_EXCEPTION_REPORTER = "xinfeng.core.security.FlaggingExceptionReporter"
INTERNAL_IPS = ["127.0.0.1", "::1"]

NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XINFENG_LOG_LEVEL", "WARNING")},
    "loggers": {
        "xinfeng": {"level": os.environ.get("XINFENG_LOG_LEVEL", "INFO"), "propagate": True},
    },
}

XINFENG_NAME = _("新风 · 新时代文明实践")
XINFENG_POINTS_PER_HOUR = int(os.environ.get("XINFENG_POINTS_PER_HOUR", "10"))
