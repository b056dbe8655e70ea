"""Request hygiene shared by pages and API."""

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class RejectNulMiddleware:
    """Refuse a NUL character in the path or the query string with a 400.

    PostgreSQL cannot store or compare text containing NUL and raises an error deep in a
    query; refusing it at the door gives every page and endpoint the same clear 4xx.
    Request bodies are checked where they are validated (``full_clean_or_raise``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            detail = _("请求中含有不允许的字符。")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": detail, "code": "invalid_character"}, status=400)
            return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class OutOfRangeMiddleware:
    """Safety net for pages: a number the database cannot hold (an absurd id in a URL or a
    form) is bad input, answered 400, not a crash. The API has the same net in api.py."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError | DataError):
            detail = _("输入的数值或文本超出范围。")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": detail, "code": "out_of_range"}, status=400)
            return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")
        return None


class ApiJsonErrorsMiddleware:
    """Under ``/api/``, answers that never reached an endpoint — an unknown path (404) or a
    method the endpoint does not take (405) — are JSON ``{"detail", "code"}`` like every
    other API error, not an HTML page."""

    CODES = {404: "not_found", 405: "method_not_allowed"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        code = self.CODES.get(response.status_code)
        if (
            code is None
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if code == "not_found":
            detail = _("没有这个接口或对象。")
        else:
            detail = _("该接口不支持 %(method)s 请求。") % {"method": request.method}
        json_response = JsonResponse({"detail": detail, "code": code}, status=response.status_code)
        if response.has_header("Allow"):
            json_response["Allow"] = response["Allow"]
        return json_response


class RequestBodyGuardMiddleware:
    """Parse the query string and the body once, at the door, and answer what Django refuses
    with the error shape instead of a crash deep in a view, a middleware or the API parser:

    - a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``RequestDataTooBig``), or more
      fields or files than ``DATA_UPLOAD_MAX_NUMBER_FIELDS``/``…_FILES``
      (``TooManyFieldsSent``, ``TooManyFilesSent``, also in a query string) → 413,
      code ``too_large``;
    - a malformed multipart body (no boundary, a broken part: ``MultiPartParserError``) →
      400, code ``invalid_multipart``.

    Under ``/api/`` the answer is JSON ``{detail, code}``, elsewhere a short page. It runs
    first (before the CSRF check, which reads a POST's form, and before any view), so every
    endpoint and page is covered without a handler of its own. Multipart files still stream
    to Django's upload handlers; other bodies are read into memory here, as Django would
    read them later, bounded by the same setting.
    """

    FORM_TYPES = {"multipart/form-data", "application/x-www-form-urlencoded"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.check(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def check(self, request):
        try:
            request.GET  # noqa: B018 - counts the query string's fields
            if request.method == "POST" and request.content_type in self.FORM_TYPES:
                request.POST  # noqa: B018 - parses the form (and streams the files) now
                request.FILES  # noqa: B018
            elif request.method in ("POST", "PUT", "PATCH", "DELETE") and (
                request.content_type != "multipart/form-data"
            ):
                request.body  # noqa: B018 - bounded by DATA_UPLOAD_MAX_MEMORY_SIZE
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            return refuse(
                request,
                413,
                "too_large",
                gettext_lazy("请求体过大（或字段、文件过多），请缩小后再试。"),
            )
        except MultiPartParserError:
            return refuse(
                request,
                400,
                "invalid_multipart",
                gettext_lazy("上传的表单格式错误（multipart 数据无效）。"),
            )
        return None


# Path prefix → a function (request, status, code, detail) answering in that interface's own
# error shape, registered by the app that owns the prefix (e.g. Open311's ``errors`` list).
REFUSAL_RENDERERS: dict[str, Callable[..., HttpResponse]] = {}


def register_refusal_renderer(prefix: str, render: Callable[..., HttpResponse]) -> None:
    REFUSAL_RENDERERS[prefix] = render


def refuse(request, status: int, code: str, detail_lazy) -> HttpResponse:
    """An error answer given before the language middleware ran: pick the language the
    same way (cookie, Accept-Language), JSON ``{detail, code}`` under /api/, the registered
    shape under another interface's prefix, a page elsewhere."""
    with translation.override(translation.get_language_from_request(request)):
        detail = str(detail_lazy)
        for prefix, render in REFUSAL_RENDERERS.items():
            if request.path.startswith(prefix):
                return render(request, status, code, detail)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail, "code": code}, status=status)
        html = render_to_string("core/request_refused.html", {"status": status, "detail": detail})
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


PAGE_METHODS = ("GET", "HEAD", "POST")


class HttpMethodsMiddleware:
    """No path answers a method it does not implement, and every GET also takes HEAD.

    - Pages (every path outside ``/api/`` and ``/open311/``) are read with GET and HEAD and
      submitted with POST (forms, htmx). Any other method — PUT, PATCH, DELETE, OPTIONS,
      TRACE, a made-up one — is answered 405 with ``Allow: GET, HEAD, POST`` before a view
      runs: a page view does not look at the method, and rendered itself for a DELETE.
      A read-only page declares ``require_safe`` (a POST is 405 ``Allow: GET, HEAD``); its
      empty 405 gets the same short message here.
    - Under ``/api/``, a HEAD is answered as the GET of the same URL without its body, with
      the GET's headers and ``Content-Length`` (django-ninja routes no HEAD; HTTP asks that
      a resource served by GET be served by HEAD too). Other methods are the API's own
      (405 with the operation's ``Allow``).
    - Open311's views declare their methods themselves (``require_http_methods``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith("/api/"):
            if request.method != "HEAD":
                response = self.get_response(request)
                allow = response.get("Allow", "") if response.status_code == 405 else ""
                if "GET" in allow.split(", ") and "HEAD" not in allow:
                    response["Allow"] = allow.replace("GET", "GET, HEAD", 1)
                return response
            request.method = request.META["REQUEST_METHOD"] = "GET"
            response = self.get_response(request)
            if not response.streaming:
                response["Content-Length"] = str(len(response.content))
                response.content = b""
            return response
        if path.startswith("/open311/"):
            return self.get_response(request)
        if request.method in PAGE_METHODS:
            response = self.get_response(request)
            if response.status_code == 405 and not response.content and not response.streaming:
                # A read-only page (``require_safe``) refused a POST: say so, not a blank page.
                response.content = _not_allowed(request)
                response["Content-Type"] = "text/plain; charset=utf-8"
            return response
        response = HttpResponse(
            _not_allowed(request), status=405, content_type="text/plain; charset=utf-8"
        )
        response["Allow"] = ", ".join(PAGE_METHODS)
        return response


def _not_allowed(request) -> str:
    """The refusal of a method a page does not take, in the visitor's language (this runs
    before the locale middleware)."""
    with translation.override(translation.get_language_from_request(request)):
        return _("此页面不支持 %(method)s 请求。") % {"method": request.method[:20]}
