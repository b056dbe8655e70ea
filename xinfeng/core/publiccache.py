"""Public read cache: anonymous GET/HEAD answers of public pages and API lists, stored in the
Django cache (Redis when ``REDIS_URL`` is set) under a key made of the path, the normalised
query, the language, care mode, htmx and the current *versions* of the view's topics.

A topic is an app label (``activities``, ``places``, ``regions``, ``projects``, ``orders``,
``governance``, ``workplans``).
Its version changes whenever a row of one of that app's tables is written — by any means:
``save()``, ``QuerySet.update``, ``bulk_create``, raw SQL — because a database execute
wrapper (installed on every connection) watches INSERT/UPDATE/DELETE statements. Inside a
transaction the version is bumped at the first write (old entries stop being served) and
again on commit (nothing cached from pre-commit data survives); a rolled-back transaction
is bumped when the connection is next used for a public read or a write. Entries also
expire after ``PUBLIC_CACHE_TTL`` seconds as a safety net.

An app may route some of its tables to another topic (``route_writes``): the activities
app sends sign-ups, check-ins and online views to ``taking_part``, and the UPDATEs that only
add to an activity's counters to ``taking_part`` and that row's own version. A view then
depends on one row's counters (``per_object``) or has them filled in at serve time
(``Live``) — so the busiest writes no longer re-render every activity page and list.

Nothing personal is stored or served: signed-in requests, requests with an
``Authorization`` header, a kiosk credential, an ``api_key`` or pending flash messages
bypass the cache — except that an API list declared ``any_caller`` (its answer is the same
whoever asks) shares its entries with callers of a valid bearer token. Pages carry CSRF
tokens: they are stored as a placeholder and replaced by the current visitor's token when
served.

Use ``@public_read("activities", "places")`` on a page view or a django-ninja operation;
``PublicReadCacheMiddleware`` (last in ``MIDDLEWARE``) stores misses and sets the headers.
"""

import hashlib
import logging
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.urls import Resolver404, get_resolver
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import get_language
from ninja.operation import PathView

# The topics' versions and how writes move them live in ``cacheversions``; re-exported here
# for the apps, tests and benchmarks that use them through this module.
from .cacheversions import (  # noqa: F401
    TOPICS,
    _prefix,
    bump,
    bump_all,
    execute_wrapper,
    object_key,
    on_connection_created,
    route_writes,
    settle,
    versions,
)

log = logging.getLogger(__name__)

VARY = ("Cookie", "Accept-Language", "Authorization", "HX-Request")
PLACEHOLDER = b"\x00xf-csrf\x00"
# Two patterns, each starting with a literal, rather than one alternation: the regex engine
# then jumps between occurrences of the literal instead of trying every byte of the page
# (0.26 ms instead of 3.7 ms for a 37 KB page).
_CSRF = (
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")'),
    re.compile(rb'("X-CSRFToken": ")[A-Za-z0-9]{32,64}(")'),
)
_TOKEN_HOLE = rb"\g<1>" + PLACEHOLDER + rb"\g<2>"
_SKIP_HEADERS = {"set-cookie", "vary", "cache-control", "etag", "last-modified", "expires"}


def ttl() -> int:
    return getattr(settings, "PUBLIC_CACHE_TTL", 60)


def max_age() -> int:
    return getattr(settings, "PUBLIC_CACHE_MAX_AGE", 15)


# Reads ---------------------------------------------------------------------------------


# The wrappers ``public_read`` made (not the functions that copied their attributes through
# ``functools.wraps``): the early path trusts a URL's view only when it is one of these.
_WRAPPERS: set = set()


class _State:
    __slots__ = ("key", "hit", "live")

    def __init__(self, key, hit=False, live=None):
        self.key = key
        self.hit = hit
        self.live = live  # a miss of a ``Live`` view: its topic's version before rendering


class Live:
    """Values of an answer that change far more often than the rest of it — the sign-up
    counts of an activity list change with every sign-up; the titles, times and places
    seldom. The view's entry does not depend on ``topic``: it is kept across those
    changes, and when ``topic``'s version has moved since it was stored,
    ``fill(body) -> body`` brings the live values up to date (one query instead of a new
    render) and the result is stored back under the same key. ``fill`` runs with the
    request's language active and gets the stored body (CSRF token placeholder included);
    it must give what a new render would give now — so the view's choice and order of rows
    must not depend on the live values (no "places left" filter or sort)."""

    __slots__ = ("topic", "fill")

    def __init__(self, topic: str, fill):
        if topic not in TOPICS:
            raise ValueError(f"unknown public-read topic: {topic}")
        self.topic = topic
        self.fill = fill


class _Spec:
    """What a ``public_read`` view's entries depend on."""

    __slots__ = ("topics", "per_object", "live")

    def __init__(self, topics, per_object, live):
        self.topics = topics
        self.per_object = per_object
        self.live = live

    def names(self, kwargs) -> tuple:
        """The versions in the key: the topics, and the row's own when ``per_object`` (the
        whole topic when the URL names no row: never less than the page shows)."""
        if self.per_object is None:
            return self.topics
        topic, kwarg = self.per_object
        try:
            return (*self.topics, object_key(topic, kwargs[kwarg]))
        except (KeyError, TypeError, ValueError):
            return (*self.topics, topic)


def anonymous(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    return (
        (user is None or not user.is_authenticated)
        and "HTTP_AUTHORIZATION" not in request.META
        and not getattr(request, "kiosk_token", None)
        and "messages" not in request.COOKIES
        and "api_key" not in request.GET
    )


def token_caller(request) -> bool:
    """A GET/HEAD whose caller a valid bearer token names (``BearerTokenMiddleware``), with
    nothing else that could make the answer personal (no kiosk credential, flash messages
    or ``api_key``). Such a request shares the anonymous entries of a ``public_read`` view
    declared ``any_caller`` only."""
    return (
        request.method in ("GET", "HEAD")
        and getattr(request, "auth_via_token", False)
        and not getattr(request, "kiosk_token", None)
        and "messages" not in request.COOKIES
        and "api_key" not in request.GET
    )


def _key(request, topics) -> str:
    settle(connections["default"])
    query = sorted((k, v) for k, values in request.GET.lists() for v in values)
    raw = repr(
        (
            request.scheme,
            request.get_host(),  # absolute links (feeds, .ics, Open311 media URLs)
            request.path,
            query,
            get_language(),
            # care mode of an anonymous visitor = the ``xf_care`` cookie (accounts.care)
            request.COOKIES.get("xf_care") == "1",
            request.headers.get("HX-Request") == "true",
            topics,
            versions(topics),
        )
    )
    return _prefix() + "e:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _not_modified(request, etag: str, stored_at: float) -> bool:
    inm = request.headers.get("If-None-Match")
    if inm:
        tags = parse_etags(inm)
        return "*" in tags or etag in tags
    ims = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return ims is not None and int(stored_at) <= ims


def _public_headers(response, etag: str, stored_at: float, tokens: bool) -> None:
    """``public, max-age`` for token-free answers (API, feeds, .ics); a page carrying a CSRF
    token is ``private, no-cache``: no shared proxy hands one visitor's token (and cookie)
    to another, and the browser revalidates (a 304) so that after signing in it never shows
    its anonymous copy."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stored_at)
    if tokens:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=max_age())
    patch_vary_headers(response, VARY)


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _refilled(entry: dict, key: str, live: Live) -> dict:
    """``entry`` with its live values current: as stored when ``live.topic`` has not moved
    since, else filled now and stored back. The version is read before the values, so a
    change landing meanwhile makes the next read fill again."""
    (now,) = versions([live.topic])
    if entry.get("live") == now:
        return entry
    try:
        body = live.fill(entry["body"])
    except DatabaseError as exc:
        # The database cannot answer now (down, or a lock held past the timeout): the
        # counts as stored rather than an error page; not stored back, so the next read
        # fills again.
        log.warning("public cache: could not fill %s (%s); serving the stored values", key, exc)
        return entry
    entry = {**entry, "body": body, "etag": _etag(body), "at": time.time(), "live": now}
    cache.set(key, entry, ttl())
    return entry


def _from_entry(request, entry, key=None, spec=None):
    if spec is not None and spec.live is not None:
        entry = _refilled(entry, key, spec.live)
    etag, stored_at = entry["etag"], entry["at"]
    if _not_modified(request, etag, stored_at):
        response = HttpResponseNotModified()
    else:
        body = entry["body"]
        if PLACEHOLDER in body:
            body = body.replace(PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(body, status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
    _public_headers(response, etag, stored_at, PLACEHOLDER in entry["body"])
    return response


def public_read(
    *topics: str,
    any_caller: bool = False,
    per_object: tuple[str, str] | None = None,
    live: Live | None = None,
):
    """Serve anonymous GET/HEAD from the public read cache; ``topics`` are the apps whose
    writes change what the view shows. It must be the outermost decorator of a page view
    (the early path recognises the URL's view by identity): ``@require_safe`` goes below it.

    ``any_caller``: the answer is the same whoever asks — an API list whose view never
    reads the caller — so a request with a valid bearer token (the mobile app sends its
    token with every request) is served from, and stored in, the same entries as an
    anonymous one (``token_caller``). A session (signed-in page: the menu names the person)
    or a bad token still bypasses the cache.

    ``per_object`` = (topic, URL argument): the page shows one row's counters routed to
    ``topic`` (``route_writes``) — it depends on that row's version, not the topic's, so a
    sign-up to one activity leaves the pages of the others cached. ``live``: values filled
    in at serve time (``Live``)."""
    unknown = set(topics) - TOPICS
    if per_object is not None:
        unknown |= {per_object[0]} - TOPICS
    if unknown:
        raise ValueError(f"unknown public-read topics: {sorted(unknown)}")
    topics = tuple(sorted(topics))
    spec = _Spec(topics, per_object, live)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (anonymous(request) or (any_caller and token_caller(request))):
                request._xf_public_read = None
                return view(request, *args, **kwargs)
            key = _key(request, spec.names(kwargs))
            entry = cache.get(key)
            if entry is not None:
                request._xf_public_read = _State(key, hit=True)
                return _from_entry(request, entry, key, spec)
            request._xf_public_read = _State(
                key, live=versions([live.topic])[0] if live is not None else None
            )
            return view(request, *args, **kwargs)

        wrapper.public_read_topics = topics
        wrapper.public_read_spec = spec
        _WRAPPERS.add(wrapper)
        return wrapper

    return decorator


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


class PublicReadCacheMiddleware:
    """Stores the misses of ``@public_read`` views and sets ETag/Last-Modified/
    Cache-Control/Vary; answers 304 when the visitor already has this version."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not hasattr(request, "_xf_public_read"):
            return response
        state = request._xf_public_read
        patch_vary_headers(response, VARY)
        if state is None:  # personal: never stored, never shared
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)
            return response
        if state.hit or not _storable(response):
            return response
        body = response.content
        for pattern in _CSRF:
            body = pattern.sub(_TOKEN_HOLE, body)
        etag = _etag(body)
        stored_at = time.time()
        headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
        entry = {
            "status": 200,
            "headers": headers,
            "body": body,
            "etag": etag,
            "at": stored_at,
            "live": state.live,
        }
        cache.set(state.key, entry, ttl())
        if _not_modified(request, etag, float("inf")):
            response = HttpResponseNotModified()
        _public_headers(response, etag, stored_at, PLACEHOLDER in body)
        return response


# The early path --------------------------------------------------------------------------


_path_views: dict = {}  # URL view function → django-ninja PathView (or None)
# Other credentials a request may carry (registered by the apps that own them, e.g. the
# kiosk's cookie): such a request never takes the early path.
_CREDENTIALS: list = []


def register_credential(found) -> None:
    """``found(request)`` is truthy when ``request`` carries a credential of the caller's
    app; the early path then leaves the request to the full chain."""
    if found not in _CREDENTIALS:
        _CREDENTIALS.append(found)


def _early_spec(request):
    """(spec, URL arguments) of the ``@public_read`` view that ``request``'s URL and method
    reach, else None. A page view counts only when the URL's view IS the ``public_read``
    wrapper; an API path when django-ninja's operation for the method is (ninja runs its
    checks — auth — first, which an anonymous request passes or it would never have been
    stored)."""
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return None
    func = match.func
    if func in _WRAPPERS:
        return func.public_read_spec, match.kwargs
    path_view = _path_views.get(func, False)
    if path_view is False:
        # django-ninja's URL view is a closure over its PathView (the operations by method).
        cells = [c.cell_contents for c in getattr(func, "__closure__", None) or ()]
        path_view = next((c for c in cells if isinstance(c, PathView)), None)
        _path_views[func] = path_view
    if path_view is not None:
        for operation in path_view.operations:
            if request.method in operation.methods and operation.view_func in _WRAPPERS:
                return operation.view_func.public_read_spec, match.kwargs
    return None


class EarlyPublicReadMiddleware:
    """Serve a warm anonymous hit before the session, locale, kiosk, CSRF, authentication,
    messages and htmx middleware (placed right after WhiteNoise): a GET/HEAD with no session
    cookie, no ``Authorization`` header, no kiosk credential, no flash messages and no
    ``api_key`` is anonymous whatever those would do, so it is looked up here and, when
    found, answered with exactly what the full chain would add to a hit: the language chosen
    as ``LocaleMiddleware`` chooses it (and its ``Content-Language``/``Vary``), the CSRF
    cookie as ``CsrfViewMiddleware`` sets it when the page carries a token,
    ``X-Frame-Options``, ``Content-Length``; the security headers come from the middleware
    before this one. Anything else — a miss, a personal request, a URL that is not a
    ``@public_read`` view — goes down the chain as before (``PublicReadCacheMiddleware``
    stores the misses)."""

    def __init__(self, get_response):
        from django.middleware.clickjacking import XFrameOptionsMiddleware
        from django.middleware.common import CommonMiddleware
        from django.middleware.csrf import CsrfViewMiddleware
        from django.middleware.locale import LocaleMiddleware

        self.get_response = get_response
        self.locale = LocaleMiddleware(get_response)
        self.csrf = CsrfViewMiddleware(get_response)
        self.common = CommonMiddleware(get_response)
        self.xframe = XFrameOptionsMiddleware(get_response)
        self.session_cookie = settings.SESSION_COOKIE_NAME
        # CommonMiddleware could redirect or refuse before the view: leave those to it.
        self.enabled = not (settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS)

    def __call__(self, request):
        response = self.hit(request) if self.enabled else None
        return self.get_response(request) if response is None else response

    def hit(self, request):
        cookies = request.COOKIES
        if (
            request.method not in ("GET", "HEAD")
            or self.session_cookie in cookies
            or "HTTP_AUTHORIZATION" in request.META
            or "messages" in cookies
            or "api_key" in request.GET
            or any(credential(request) for credential in _CREDENTIALS)
        ):
            return None
        found = _early_spec(request)
        if found is None:
            return None
        spec, kwargs = found
        self.locale.process_request(request)  # the language, as the full chain picks it
        key = _key(request, spec.names(kwargs))
        entry = cache.get(key)
        if entry is None:
            return None  # the full chain renders and stores it
        self.csrf.process_request(request)  # the visitor's own CSRF secret, if any
        request._xf_public_read = _State(None, hit=True)
        response = _from_entry(request, entry, key, spec)
        response = self.xframe.process_response(request, response)
        response = self.csrf.process_response(request, response)
        response = self.common.process_response(request, response)
        return self.locale.process_response(request, response)
