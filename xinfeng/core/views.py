from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .errors import NotFound


@never_cache
@require_safe
def healthz(request):
    """Liveness and database check for load balancers and `make run`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def page_not_found(request, exception=None):
    """404 for every URL no view matched: JSON ``{detail, code}`` under /api/, a page elsewhere."""
    err = NotFound()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(err.detail), "code": err.code}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    """500: JSON under /api/ so clients can always parse the error; a plain page elsewhere."""
    detail = _("服务器内部错误，请稍后再试。")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": "server_error"}, status=500)
    return HttpResponseServerError(detail, content_type="text/plain; charset=utf-8")
