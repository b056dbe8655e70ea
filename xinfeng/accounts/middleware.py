from django.utils import timezone

from .models import ApiToken


class BearerTokenMiddleware:
    """``Authorization: Bearer <token>`` authenticates API requests without a session.

    A token request carries no cookie, so it is not exposed to CSRF; we mark it exempt.
    An invalid token is refused by the API (401) rather than silently treated as anonymous.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        request.auth_via_token = False
        request.bad_token = False
        if header.startswith("Bearer "):
            token = ApiToken.lookup(header[7:].strip())
            if token is None:
                request.bad_token = True
            else:
                request.user = token.user
                request.auth_via_token = True
                request._dont_enforce_csrf_checks = True
                if (
                    not token.last_used_at
                    or (timezone.now() - token.last_used_at).total_seconds() > 60
                ):
                    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return self.get_response(request)
