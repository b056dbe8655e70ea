"""Request hygiene shared by pages and API."""

from django.db import DataError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


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
