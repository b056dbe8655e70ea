"""长辈模式 (care mode): one switch, remembered for the person (``User.care_mode``) and the
device (the ``xf_care`` cookie). The device's cookie wins where it is set (a relative's
phone keeps its own choice); a signed-in person on a new device gets their own. Pages ask
``care_on(request)``; templates get ``xf_care`` from the shell's context processor."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

COOKIE = "xf_care"
COOKIE_AGE = 10 * 365 * 24 * 3600


def care_on(request) -> bool:
    """Whether ``request`` is in care mode (cookie first, then the person's preference)."""
    value = request.COOKIES.get(COOKIE)
    if value in ("1", "0"):
        return value == "1"
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.care_mode)


def care_set(*, user, on: bool) -> None:
    """Remember the person's choice (nothing to do for anonymous visitors)."""
    if user is not None and user.is_authenticated and user.care_mode != on:
        user.care_mode = on
        user.save(update_fields=["care_mode"])


@require_POST
def care_toggle_view(request):
    """The top bar's 长辈模式 switch: ``on`` = 1/0; back to ``next`` (same site only)."""
    on = request.POST.get("on") == "1"
    care_set(user=request.user, on=on)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        COOKIE, "1" if on else "0", max_age=COOKIE_AGE, samesite="Lax", secure=request.is_secure()
    )
    return response
