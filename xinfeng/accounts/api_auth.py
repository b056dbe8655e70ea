"""Who is calling the API: the two auth classes every router uses (router-level auth).

- ``SessionOrBearer`` is the API's default: a session cookie (CSRF-checked on writes) or
  ``Authorization: Bearer <token>``. Reads are open to anonymous callers (public data, each
  selector applies scope); writes need a user.
- ``signed_in`` is declared on an operation that needs a user even to read (``/me``, the
  inbox, staff lists): an anonymous caller gets 401 before the view runs, and the view reads
  the user from ``request.auth``. Routers therefore carry no per-file "get the user or 401" helpers.
"""

from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.utils import check_csrf

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
                    raise HttpError(403, _("CSRF 校验失败，请刷新页面后重试。"))
            return request.user
        if request.method in SAFE_METHODS:
            return "anonymous"
        return None

    def authenticate(self, request, token):  # pragma: no cover - __call__ handles it
        return None


class SignedIn(SessionOrBearer):
    """Like ``SessionOrBearer``, but an anonymous caller is refused whatever the method."""

    def __call__(self, request):
        user = super().__call__(request)
        return None if user == "anonymous" else user


signed_in = SignedIn()
