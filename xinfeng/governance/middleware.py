"""Guiding departments only read: a request from an account holding ``Role.DEPARTMENT``
(session or bearer token) that would change something — any POST, PUT, PATCH or DELETE,
on a page or the API — answers 403, except signing out, switching the language and changing one's own password. One
rule at the door, so no write of any app (present or future) has to remember it."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .policy import is_department_user

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# Signing out, the language and one's own password are the person's, not the work's.
ALLOWED_WRITES = ("/accounts/logout/", "/i18n/setlang/", "/accounts/password/")


class DepartmentReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS or request.path_info in ALLOWED_WRITES:
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not is_department_user(user):
            return self.get_response(request)
        detail = _("指导部门账号只能查看，不能办理或修改。")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": detail, "code": "department_read_only"}, status=403)
        return render(request, "core/refused.html", {"detail": detail, "status": 403}, status=403)
