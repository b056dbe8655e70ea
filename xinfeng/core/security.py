"""Response hardening shared by every page, API answer, static file and error (issue 10).

- ``SecurityHeadersMiddleware`` adds a Content-Security-Policy that lets a page run only our
  own scripts and styles (``'self'``, plus a per-request nonce for the rare inline block:
  ``<script nonce="{{ request.csp_nonce }}">``), and Permissions-Policy. Django's
  ``SecurityMiddleware`` already sends X-Content-Type-Options, Referrer-Policy and
  Cross-Origin-Opener-Policy; this middleware makes sure they are on responses that bypass
  it too. There is no inline event handler and no ``hx-on`` anywhere: behaviour lives in
  ``static/xinfeng/xinfeng.js`` (``data-*`` hooks) and htmx runs with ``allowEval: false``.
- ``DebugPagesLocalOnlyMiddleware``: with ``DEBUG`` on, Django and django-ninja show
  tracebacks with local variables (row data) to whoever caused the error. Only a client on
  the loopback address with no proxy header gets them; anyone else gets the production
  error shapes (JSON ``{detail, code}`` under ``/api/``, the error page elsewhere).
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.debug import ExceptionReporter

log = logging.getLogger(__name__)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"
)


def _tile_origin() -> str:
    url = getattr(settings, "MAP_TILE_URL", "") or ""
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme in ("http", "https") and parts.netloc:
        host = parts.netloc
        if "{s}" in url:  # Leaflet's subdomains: a.tiles.example → *.tiles.example
            host = "*." + host.split(".", 1)[1] if "." in host else host
        return f"{parts.scheme}://{host}"
    return ""


def content_security_policy(nonce: str) -> str:
    tiles = _tile_origin()
    img = "'self' data: blob:" + (f" {tiles}" if tiles else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            # style="" attributes (ECharts tooltips, Leaflet markers build them); they cannot
            # run code. <style> blocks and style sheets stay limited to ours.
            "style-src-attr 'unsafe-inline'",
            f"img-src {img}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' blob:",  # hls.js plays through MediaSource (blob: URLs)
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy(request.csp_nonce))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        return response


# --- debug pages -----------------------------------------------------------------------

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def is_local_client(request) -> bool:
    """The socket peer is loopback and no proxy said it forwards someone else."""
    if any(request.META.get(h) for h in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


class FlaggingExceptionReporter(ExceptionReporter):
    """Django's reporter, marking the request so the middleware below knows the response is
    a technical (traceback) page."""

    def get_traceback_data(self):
        if self.request is not None:
            self.request._xf_technical_page = True
        return super().get_traceback_data()


def production_error(request, status: int):
    """What a production server answers: ``core.views`` handlers for 404 and 500, the same
    shapes for 400 (JSON under /api/, plain text elsewhere)."""
    from . import views

    if status == 404:
        return views.page_not_found(request)
    if status == 400:
        detail = _("请求有误。")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail, "code": "bad_request"}, status=400)
        return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
    return views.server_error(request)


class DebugPagesLocalOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not settings.DEBUG or is_local_client(request):
            return response
        status = response.status_code
        html = response.get("Content-Type", "").startswith("text/html")
        technical = getattr(request, "_xf_technical_page", False)
        if technical or status == 500 or (status == 404 and html):
            log.warning("debug page withheld from a non-local client: %s", request.path)
            return production_error(request, status if status in (400, 404) else 500)
        return response
