"""The JSON API: one NinjaAPI, each app's router mounted under /api/v1/<app>/."""

import json
import re

from django.db import DataError
from django.http import Http404
from django.shortcuts import render
from django.urls import URLPattern, include
from django.urls import path as django_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from xinfeng.accounts.api_auth import SAFE_METHODS, SessionOrBearer
from xinfeng.core.errors import DomainError, NotAuthenticated, NotFound
from xinfeng.core.pagination import CURSOR_SCHEMA
from xinfeng.core.schema import pydantic_error_message


class NotAnObject(ValueError):
    """A JSON body that parses but is not an object (an array, a string, a number…)."""


class BadText(ValueError):
    """A JSON string holding a lone surrogate (``"\\ud800"``): valid JSON, but no text a
    database (or a hash) can take — it used to reach the first encode as a 500."""


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class ObjectBodyParser(Parser):
    """Every JSON body this API takes is an object. Without this check ninja would read an
    array or a number as an object with no fields: an empty PATCH that answers 200, or a
    POST whose only complaint is "missing". Refused here, once, for every endpoint. A body
    whose strings hold a lone surrogate is refused too (a pair makes one character and
    passes)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise NotAnObject(type(data).__name__)
        if _SURROGATE_ESCAPE.search(request.body):
            try:
                json.dumps(data, ensure_ascii=False).encode()
            except UnicodeEncodeError:
                raise BadText() from None
        return data


class OfflineSwagger(Swagger):
    """Swagger UI from our vendored copy (static/vendor/swagger-ui), never from a CDN: the
    docs must work offline and inside government networks. Writes from the page send the
    CSRF token because the session cookie authenticates them."""

    template = "core/api_docs.html"

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": json.dumps(settings), "api": api, "add_csrf": True}
        return render(request, self.template, context)


# The error body every 4xx answer carries (see the exception handlers below).
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "A message for people (translated)"},
        "code": {
            "type": "string",
            "description": "A stable machine code: invalid, invalid_json, not_an_object, invalid_text, "
            "invalid_multipart, too_large, out_of_range, not_authenticated, forbidden, "
            "not_found, conflict, throttled, http_<status>…",
        },
        "errors": {
            "type": "array",
            "items": {"type": "object"},
            "description": "422 only: the input errors, one per field",
        },
    },
    "required": ["detail", "code"],
}
ERROR_DESCRIPTIONS = {
    400: "Bad input (a number or text out of range, a body that is not JSON, a refused value)",
    401: "Not signed in, or a bad bearer token",
    403: "Not allowed (role, or the CSRF check of a session write)",
    404: "Not found, or outside your scope (the two look the same on purpose)",
    409: "The object's state does not allow this (e.g. already accepted)",
    413: "The body is larger than the server takes (or has too many fields or files)",
    422: "Input that does not match the schema (one message per field)",
    429: "Too many attempts (e.g. wrong check-in codes); wait and try again",
}
READ_ERRORS = (400, 401, 403, 404, 422)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 422, 429)


def add_error_responses(doc: dict) -> dict:
    """Declare the 4xx answers of every operation, all with the ``Error`` schema, once for
    the whole API instead of on every route. Answers a route declares itself are kept."""
    doc.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for methods in doc.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            declared = {str(code) for code in responses}
            codes = READ_ERRORS if method.upper() in SAFE_METHODS else WRITE_ERRORS
            for status in codes:
                if str(status) in declared:
                    continue
                responses[status] = {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": ref}},
                }
    return doc


def state_what_ninja_cannot(doc: dict) -> dict:
    """Make the document say what the code does where ninja cannot infer it:

    - A read under the default auth (``SessionOrBearer``) is open to anonymous callers; the
      endpoint answers 401 itself when it needs a user. Its security is therefore optional
      (``[{}, {"SessionOrBearer": []}]``), not required. Writes keep it required.
    - ``cursor`` is the opaque token of ``core.pagination`` (URL-safe base64, at most
      ``MAX_CURSOR`` characters; anything else is a 400 ``invalid_cursor``).
    """
    for methods in doc.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict):
                continue
            security = operation.get("security")
            if method.upper() in SAFE_METHODS and security == [{"SessionOrBearer": []}]:
                operation["security"] = [{}, {"SessionOrBearer": []}]
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter.get("name") == "cursor":
                    parameter["schema"] = dict(CURSOR_SCHEMA)
    return doc


def by_first_segment(patterns: list) -> list:
    """``patterns`` with those sharing a first path segment (``orders/``…) nested under it,
    in the order of their first one. Django tries URL patterns one by one: flat, an order
    request tried the 100 patterns of the routers mounted before orders' first (a
    twelfth of a creation's CPU). Every path matches what it matched before: a path can only
    match patterns of its own first segment, and their order is kept. Left flat when a
    first segment holds a converter (then order across segments could matter)."""
    heads = []
    for p in patterns:
        route = getattr(p.pattern, "_route", None)
        if not isinstance(p, URLPattern) or not isinstance(route, str):
            return patterns
        head, slash, rest = route.partition("/")
        if "<" in head:
            return patterns
        heads.append((head + slash if slash else None, rest))
    groups: dict[str, list] = {}
    out: list = []
    for p, (head, rest) in zip(patterns, heads, strict=True):
        if head is None:  # one segment ("docs", the root): stays where it was
            out.append(p)
            continue
        if head not in groups:
            groups[head] = []
            out.append(head)
        groups[head].append(django_path(rest, p.callback, p.default_args, p.name))
    return [django_path(x, include(groups[x])) if isinstance(x, str) else x for x in out]


class XinfengAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        doc = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return state_what_ninja_cannot(add_error_responses(doc))

    def _get_urls(self):
        return by_first_segment(super()._get_urls())


api = XinfengAPI(
    title="Xinfeng API",
    version="1",
    description=(
        "新风 · 新时代文明实践平台 API. Auth: session cookie or `Authorization: Bearer <token>`. "
        "Lists are keyset-paginated (`cursor`, `limit`; response `{items, next_cursor}`). "
        "Errors are JSON `{detail, code}`. See docs/api.md."
    ),
    auth=SessionOrBearer(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs=OfflineSwagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),
    parser=ObjectBodyParser(),
)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = api.create_response(
        request, {"detail": str(exc.detail), "code": exc.code}, status=exc.status
    )
    if exc.status == 429:
        # How long to wait: the refusal's own figure, else a minute (the send throttle).
        response["Retry-After"] = str(int(getattr(exc, "retry_after", None) or 60))
    return response


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    parts = []
    for err in exc.errors:
        loc = ".".join(
            str(x) for x in err.get("loc", []) if x not in ("body", "query", "path", "payload")
        )
        message = pydantic_error_message(err)
        parts.append(f"{loc}: {message}" if loc else message)
    return api.create_response(
        request,
        {"detail": "; ".join(parts) or _("输入无效。"), "code": "invalid", "errors": exc.errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    err = NotAuthenticated()
    return api.create_response(request, {"detail": str(err.detail), "code": err.code}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400 and isinstance(exc.__cause__, NotAnObject):
        body = {"detail": _("请求体应为 JSON 对象（{…}）。"), "code": "not_an_object"}
    elif exc.status_code == 400 and isinstance(exc.__cause__, BadText):
        body = {
            "detail": _("请求体含有无效字符（不成对的 Unicode 代理项）。"),
            "code": "invalid_text",
        }
    elif exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        # ninja adds the parser's message in DEBUG; the answer is the same in every mode.
        body = {"detail": _("请求体不是有效的 JSON。"), "code": "invalid_json"}
    else:
        body = {"detail": str(exc), "code": f"http_{exc.status_code}"}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Http404)
def on_404(request, exc):
    err = NotFound()
    return api.create_response(request, {"detail": str(err.detail), "code": err.code}, status=404)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request, exc):
    # Safety net: a number or text the database cannot hold is bad input, not a crash.
    return api.create_response(
        request, {"detail": _("输入的数值或文本超出范围。"), "code": "out_of_range"}, status=400
    )


def _mount():
    from xinfeng.accounts.api import router as accounts_router
    from xinfeng.activities.api import router as activities_router
    from xinfeng.assessment.api import router as assessment_router
    from xinfeng.emergency.api import router as emergency_router
    from xinfeng.governance.api import router as governance_router
    from xinfeng.insights.api import router as insights_router
    from xinfeng.notifications.api import router as notifications_router
    from xinfeng.orders.api import router as orders_router
    from xinfeng.places.api import router as places_router
    from xinfeng.projects.api import router as projects_router
    from xinfeng.surveys.api import router as surveys_router
    from xinfeng.sync.api import router as sync_router
    from xinfeng.volunteers.api.profiles import router as volunteers_router
    from xinfeng.workplans.api import router as workplans_router

    api.add_router("/accounts/", accounts_router)
    api.add_router("/places/", places_router)
    api.add_router("/volunteers/", volunteers_router)
    api.add_router("/projects/", projects_router)
    api.add_router("/orders/", orders_router)
    api.add_router("/notifications/", notifications_router)
    api.add_router("/activities/", activities_router)
    api.add_router("/surveys/", surveys_router)
    api.add_router("/emergency/", emergency_router)
    api.add_router("/insights/", insights_router)
    api.add_router("/assessment/", assessment_router)
    api.add_router("/sync/", sync_router)
    api.add_router("/workplans/", workplans_router)
    api.add_router("/governance/", governance_router)


_mount()
