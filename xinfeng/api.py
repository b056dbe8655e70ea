"""The JSON API: one NinjaAPI, each app's router mounted under /api/v1/<app>/."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from xinfeng.core.errors import DomainError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class SessionOrBearer(HttpBearer):
    """Session cookie (CSRF-checked on writes) or ``Authorization: Bearer <token>``.

    Reads are open to anonymous callers (public data; each endpoint's selector applies the
    scope); writes need a signed-in user. The token itself is resolved by
    ``BearerTokenMiddleware`` so pages and API share one code path.
    """

    def __call__(self, request):
        if getattr(request, "bad_token", False):
            return None
        if getattr(request, "auth_via_token", False):
            return request.user
        if request.user.is_authenticated:
            if request.method not in SAFE_METHODS:
                error = check_csrf(request)
                if error:
                    raise HttpError(403, "CSRF check failed")
            return request.user
        if request.method in SAFE_METHODS:
            return "anonymous"
        return None

    def authenticate(self, request, token):  # pragma: no cover - __call__ handles it
        return None


api = NinjaAPI(
    title="Xinfeng API",
    version="1",
    description="新风 · 新时代文明实践平台 API. Errors are JSON {detail, code}.",
    auth=SessionOrBearer(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(
        request, {"detail": str(exc.detail), "code": exc.code}, status=exc.status
    )


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    parts = []
    for err in exc.errors:
        loc = ".".join(
            str(x) for x in err.get("loc", []) if x not in ("body", "query", "path", "payload")
        )
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return api.create_response(
        request,
        {"detail": "; ".join(parts) or "invalid input", "code": "invalid", "errors": exc.errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(
        request,
        {"detail": "请先登录 / Authentication required.", "code": "not_authenticated"},
        status=401,
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(
        request, {"detail": str(exc), "code": f"http_{exc.status_code}"}, status=exc.status_code
    )


@api.exception_handler(Http404)
def on_404(request, exc):
    return api.create_response(
        request, {"detail": "未找到 / Not found.", "code": "not_found"}, status=404
    )


def _mount():
    from xinfeng.accounts.api import router as accounts_router
    from xinfeng.activities.api import router as activities_router
    from xinfeng.emergency.api import router as emergency_router
    from xinfeng.insights.api import router as insights_router
    from xinfeng.orders.api import router as orders_router
    from xinfeng.places.api import router as places_router
    from xinfeng.projects.api import router as projects_router
    from xinfeng.surveys.api import router as surveys_router
    from xinfeng.volunteers.api import router as volunteers_router

    api.add_router("/accounts/", accounts_router)
    api.add_router("/places/", places_router)
    api.add_router("/volunteers/", volunteers_router)
    api.add_router("/projects/", projects_router)
    api.add_router("/orders/", orders_router)
    api.add_router("/activities/", activities_router)
    api.add_router("/surveys/", surveys_router)
    api.add_router("/emergency/", emergency_router)
    api.add_router("/insights/", insights_router)


_mount()
