"""Bearer tokens: ``Authorization: Bearer <token>`` authenticates API requests without a
session, and who a token stands for is cached.

Looking a token up (token row joined to its user) cost ~1 ms of ORM and a round trip on
every API request. Each web process keeps, per token hash, the token's id, when it was last
used, the user's field values and, once a request has read them, the user's role
assignments. An entry is used only while

- the shared version number (``VERSION_KEY`` in Django's cache: Redis when ``REDIS_URL`` is
  set, so every web process sees it; this process's memory otherwise) is the one it was read
  under, and
- it is younger than ``API_TOKEN_CACHE_SECONDS`` (settings, default 10).

Any save or delete of a token (revoking it), a user (deactivating, renaming, a new password;
a login, which saves ``last_login`` alone, does not count), a role assignment or a region
bumps the version twice: at once and when the writing transaction commits (no process keeps
what it read before the commit). So with Redis a revoked token is refused by every process on
the very next request; without Redis, by this process at once and by the others within
``API_TOKEN_CACHE_SECONDS``. A change that sends no signal (``QuerySet.update``,
``bulk_create``) is also seen within that bound. Tokens have no expiry date of their own;
a deactivated user is one of the changes above.

Each request gets its own ``User`` instance built from the cached values (nothing a request
sets on its user leaks into another request).

Signed-in web sessions use the same entries keyed by user id (``session_user``, called by
``PhoneOrUsernameBackend.get_user``): a warm page reads neither the user nor, once a page
has read them, the roles. A new user also bumps the version (an id can come back for
another person after a rolled-back insert), and the session's auth hash is still checked
against the cached password field, so a new password ends other sessions at once.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models.base import ModelState
from django.utils import timezone

from xinfeng.core.versions import CacheVersion

from .models import ApiToken, User

VERSION_KEY = "xf:accounts:tokens:v"
DEFAULT_SECONDS = 10.0
LAST_USED_EVERY = 60  # seconds between two writes of a token's ``last_used_at``
MAX_ENTRIES = 10_000  # per process; the dict is emptied when it grows past this


@dataclass
class _Entry:
    version: int
    expires: float  # time.monotonic()
    token_pk: int
    last_used_at: object  # datetime | None
    user_values: dict
    roles: list | None = field(default=None)


_entries: dict[str, _Entry] = {}
# The same for signed-in web sessions, per user id (``session_user``).
_session_users: dict[int, _Entry] = {}


def cache_seconds() -> float:
    return float(getattr(settings, "API_TOKEN_CACHE_SECONDS", DEFAULT_SECONDS))


_tokens_version = CacheVersion(VERSION_KEY)
_version = _tokens_version.get


def forget() -> None:
    """Drop every cached token: now, and again when the current transaction commits."""
    _entries.clear()
    _session_users.clear()
    _tokens_version.forget()


# --- signal receivers (connected in AccountsConfig.ready) -----------------------------------


def token_changed(*, created: bool = False, **kwargs) -> None:
    """A token was saved (revoked) or deleted; a new token changes no cached entry."""
    if not created:
        forget()


def user_changed(*, created: bool = False, update_fields=None, **kwargs) -> None:
    """A user was saved or deleted: what a request sees of its user must be current; a
    login (``last_login`` alone) changes nothing that matters here. A new user counts too:
    session entries are keyed by user id, and an id can come back (a rolled-back insert on
    SQLite, a test database) for another person."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    forget()


def roles_changed(**kwargs) -> None:
    """A role assignment or a region was saved or deleted (cached roles carry regions)."""
    forget()


# --- the look-up ----------------------------------------------------------------------------

_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)


def _user_from(values: dict, roles: list | None) -> User:
    """A fresh ``User`` (as if read from the database) from cached field values."""
    user = User.__new__(User)
    user.__dict__.update(values)
    state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    user._state = state
    if roles is not None:
        user.__dict__["_xf_roles"] = list(roles)
    return user


def token_user(raw: str) -> tuple[User, _Entry] | None:
    """The active user a live token stands for (and its cache entry), or ``None``."""
    from .models import _hash_token

    key_hash = _hash_token(raw)
    version = _version()  # read before the database: a change after it bumps past it
    entry = _entries.get(key_hash)
    now = time.monotonic()
    if entry is not None and entry.version == version and entry.expires > now:
        return _user_from(entry.user_values, entry.roles), entry
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
        .only("pk", "last_used_at", "user")
        .first()
    )
    if token is None:
        _entries.pop(key_hash, None)
        return None
    user = token.user
    entry = _Entry(
        version=version,
        expires=now + cache_seconds(),
        token_pk=token.pk,
        last_used_at=token.last_used_at,
        user_values={name: getattr(user, name) for name in _USER_FIELDS},
    )
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key_hash] = entry
    return _user_from(entry.user_values, None), entry


def session_user(user_id) -> User | None:
    """The user a signed-in session names (``PhoneOrUsernameBackend.get_user``), from this
    process's entry while it is current — same version and lifetime rules as a token's —
    else read. Saves the user's and, once a request has read them, the roles' statements
    on every signed-in page."""
    try:
        key = int(user_id)
    except (TypeError, ValueError):
        return None
    version = _version()
    entry = _session_users.get(key)
    now = time.monotonic()
    if entry is None or entry.version != version or entry.expires <= now:
        user = User._default_manager.filter(pk=key).first()
        if user is None:
            _session_users.pop(key, None)
            return None
        entry = _Entry(
            version=version,
            expires=now + cache_seconds(),
            token_pk=0,
            last_used_at=None,
            user_values={name: getattr(user, name) for name in _USER_FIELDS},
        )
        if len(_session_users) >= MAX_ENTRIES:
            _session_users.clear()
        _session_users[key] = entry
    user = _user_from(entry.user_values, entry.roles)
    user.__dict__[_SESSION_ENTRY] = entry
    return user


_SESSION_ENTRY = "_xf_session_entry"


def _keep_roles(request) -> None:
    """After a signed-in page: keep the roles it read on its session entry."""
    lazy = request.__dict__.get("user")
    user = getattr(lazy, "_wrapped", lazy)
    if user is None or not hasattr(user, "__dict__"):
        return
    entry = user.__dict__.get(_SESSION_ENTRY)
    if entry is not None and entry.roles is None and "_xf_roles" in user.__dict__:
        entry.roles = list(user.__dict__["_xf_roles"])


class BearerTokenMiddleware:
    """``Authorization: Bearer <token>`` authenticates API requests without a session.

    A token request carries no cookie, so it is not exposed to CSRF; we mark it exempt.
    An invalid token is refused by the API (401) rather than silently treated as anonymous.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        request.auth_via_token = False
        request.bad_token = False
        if not header.startswith("Bearer "):
            response = self.get_response(request)
            _keep_roles(request)
            return response
        found = token_user(header[7:].strip())
        if found is None:
            request.bad_token = True
            return self.get_response(request)
        user, entry = found
        request.user = user
        request.auth_via_token = True
        request._dont_enforce_csrf_checks = True
        now = timezone.now()
        if not entry.last_used_at or (now - entry.last_used_at).total_seconds() > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=entry.token_pk).update(last_used_at=now)
            entry.last_used_at = now
        response = self.get_response(request)
        if entry.roles is None and "_xf_roles" in user.__dict__:
            # The request read the user's roles (accounts.scope): later requests reuse them
            # for as long as the entry lives (a role change bumps the version).
            entry.roles = list(user.__dict__["_xf_roles"])
        return response
