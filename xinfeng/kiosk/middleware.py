"""Least privilege for the kiosk credential: a request that carries it (the ``xf_kiosk``
cookie, an ``X-Kiosk-Token`` header or ``Authorization: Bearer kiosk_…``) may reach only
the kiosk's own pages (``/kiosk/<site id>/…``, where the view checks the site) and static
files; everything else — every API operation, every other page — answers 403."""

import re

from django.conf import settings
from django.http import HttpResponseForbidden, JsonResponse
from django.utils.translation import gettext as _

from .services import COOKIE, TOKEN_PREFIX

KIOSK_PATH = re.compile(r"^/kiosk/\d{1,18}/")


def kiosk_credential(request) -> str | None:
    raw = request.COOKIES.get(COOKIE) or request.headers.get("X-Kiosk-Token")
    auth = request.headers.get("Authorization", "")
    if not raw and auth.startswith("Bearer " + TOKEN_PREFIX):
        raw = auth[len("Bearer ") :]
    return raw or None


class KioskCredentialMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = kiosk_credential(request)
        request.kiosk_token = raw
        if raw is None:
            return self.get_response(request)
        path = request.path_info
        if KIOSK_PATH.match(path) or path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        detail = _("自助终端只能办理本终端的业务。")
        if path.startswith("/api/"):
            return JsonResponse({"detail": detail, "code": "kiosk_only"}, status=403)
        return HttpResponseForbidden(detail)
