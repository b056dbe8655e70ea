"""Template context shared by every page."""

from .choices import STAFF_ROLES
from .scope import scope_paths


def staff(request):
    """``xf_can_manage``: whether to show the staff entry in the top bar.

    A callable, so the template evaluates it (one cached role query) only where used.
    """
    user = getattr(request, "user", None)

    def can_manage() -> bool:
        return bool(
            user is not None and user.is_authenticated and scope_paths(user, STAFF_ROLES) != []
        )

    return {"xf_can_manage": can_manage}
