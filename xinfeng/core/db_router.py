"""Reads from PostgreSQL streaming replicas, with read-your-writes (issue 18).

Active when ``DATABASE_REPLICA_URLS`` is set (settings adds the aliases ``replica_1`` … and
this router). The rules, in order:

- every write, lock and migration goes to the primary (``default``);
- a read inside a transaction on the primary stays there (it must see the transaction);
- a *pinned* context reads from the primary: the worker process, a request that writes
  (POST, PUT, PATCH, DELETE), and for ``DATABASE_READ_YOUR_WRITES_SECONDS`` after a write the
  person who made it (a cookie for any browser, a cache key for a signed-in account, shared
  through Redis across web nodes) — so nobody misses their own change on a lagging replica;
- otherwise a healthy replica, round robin. A replica is healthy when it answers and its
  replay lag is at most ``DATABASE_REPLICA_MAX_LAG_SECONDS``; each process checks each
  replica at most every ``DATABASE_REPLICA_CHECK_SECONDS``. None healthy: the primary.

A read that fails on a replica mid-request (it went down between checks) is retried once on
the primary by :class:`ReplicaFallbackMiddleware`, and the replica is marked down.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

PRIMARY = "default"
# Always read from the primary: the task queue (the worker claims rows), sessions (a login
# must be seen by the next request) and the worker bookkeeping.
PRIMARY_APPS = {"django_tasks_database", "sessions", "core"}

_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("xinfeng_db_pinned", default=False)
_used_replica: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "xinfeng_db_used_replica", default=None
)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("xinfeng_db_wrote", default=False)


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def pin() -> contextvars.Token:
    return _pinned.set(True)


def unpin(token: contextvars.Token) -> None:
    _pinned.reset(token)


def is_pinned() -> bool:
    return _pinned.get()


def start_request(pinned: bool) -> list[contextvars.Token]:
    return [_pinned.set(pinned), _used_replica.set(None), _wrote.set(False)]


def end_request(tokens: list[contextvars.Token]) -> None:
    pinned, used, wrote_ = tokens
    _pinned.reset(pinned)
    _used_replica.reset(used)
    _wrote.reset(wrote_)


def wrote() -> bool:
    return _wrote.get()


def used_replica() -> str | None:
    return _used_replica.get()


class _Health:
    """Per process: when each replica was last checked and whether it was fit to read."""

    def __init__(self):
        self.lock = threading.Lock()
        self.checked: dict[str, float] = {}
        self.healthy: dict[str, bool] = {}
        self.lag: dict[str, float | None] = {}

    def is_healthy(self, alias: str) -> bool:
        now = time.monotonic()
        every = float(getattr(settings, "DATABASE_REPLICA_CHECK_SECONDS", 2.0))
        with self.lock:
            fresh = now - self.checked.get(alias, float("-inf")) < every
            if fresh:
                return self.healthy.get(alias, False)
            self.checked[alias] = now  # one check at a time; others use the last answer
        ok, lag = self.check(alias)
        with self.lock:
            self.healthy[alias] = ok
            self.lag[alias] = lag
        return ok

    def check(self, alias: str) -> tuple[bool, float | None]:
        max_lag = float(getattr(settings, "DATABASE_REPLICA_MAX_LAG_SECONDS", 5.0))
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NULL"
                    " OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()),"
                    " 0) END"
                )
                lag = float(cursor.fetchone()[0])
        except DatabaseError as exc:
            log.warning("replica %s unavailable: %s", alias, exc)
            _close_quietly(alias)
            return False, None
        if lag > max_lag:
            log.warning(
                "replica %s lags %.1f s (max %.1f s): reading the primary", alias, lag, max_lag
            )
        return lag <= max_lag, lag

    def mark_down(self, alias: str) -> None:
        with self.lock:
            self.healthy[alias] = False
            self.checked[alias] = time.monotonic()
        _close_quietly(alias)

    def forget(self) -> None:
        with self.lock:
            self.checked.clear()
            self.healthy.clear()
            self.lag.clear()


def _close_quietly(alias: str) -> None:
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


health = _Health()
_turn = itertools.count()


def read_alias() -> str:
    """Where a read outside any rule above goes now."""
    names = replicas()
    if not names or is_pinned() or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    start = next(_turn)
    for i in range(len(names)):
        alias = names[(start + i) % len(names)]
        if not health.is_healthy(alias):
            continue
        conn = connections[alias]
        if conn.connection is None:
            # Not connected in this request yet: connect now, so a replica that went down
            # since the last check costs a fallback, not an error page.
            try:
                conn.ensure_connection()
            except DatabaseError as exc:
                log.warning("replica %s unavailable: %s", alias, exc)
                health.mark_down(alias)
                continue
        _used_replica.set(alias)
        return alias
    return PRIMARY


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_APPS:
            return PRIMARY
        instance = hints.get("instance")
        if instance is not None and instance._state.db == PRIMARY and _wrote.get():
            return PRIMARY
        return read_alias()

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
COOKIE = "xf_rw"


def _identity(request) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    header = request.headers.get("Authorization", "")
    if header:
        import hashlib

        return "t:" + hashlib.sha256(header.encode()).hexdigest()[:24]
    return None


def _cache_key(identity: str) -> str:
    return f"xinfeng:ryw:{identity}"


class ReadYourWritesMiddleware:
    """Pins a request to the primary when it writes or follows its author's recent write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas():
            return self.get_response(request)
        from django.core.cache import cache

        now = time.time()
        seconds = int(getattr(settings, "DATABASE_READ_YOUR_WRITES_SECONDS", 10))
        pinned = request.method not in SAFE_METHODS
        if not pinned:
            try:
                pinned = float(request.COOKIES.get(COOKIE, "0")) > now
            except ValueError:
                pinned = False
        if not pinned:
            identity = _identity(request)
            pinned = bool(identity and (cache.get(_cache_key(identity)) or 0) > now)
        tokens = start_request(pinned)
        try:
            response = self.get_response(request)
            if wrote() or request.method not in SAFE_METHODS:
                until = time.time() + seconds
                response.set_cookie(
                    COOKIE,
                    f"{until:.0f}",
                    max_age=seconds,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                identity = _identity(request)
                if identity:
                    cache.set(_cache_key(identity), until, seconds)
            return response
        finally:
            end_request(tokens)

    def process_exception(self, request, exception):
        alias = used_replica()
        if (
            not isinstance(exception, DatabaseError)
            or alias is None
            or request.method not in SAFE_METHODS
            or getattr(request, "_xinfeng_replica_retry", False)
        ):
            return None
        log.warning("read on %s failed (%s): retrying on the primary", alias, exception)
        health.mark_down(alias)
        request._xinfeng_replica_retry = True
        _pinned.set(True)
        return self.get_response(request)
