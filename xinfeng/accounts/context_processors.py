"""Template context shared by every page."""

from functools import cached_property

from django.apps import apps

from .choices import READ_ROLES, STAFF_ROLES, Role
from .scope import roles_of, scope_paths


def _leads_a_team(user) -> bool:
    """Whether the person leads an active volunteer team (volunteers sit above accounts, so
    the membership model is named by label)."""
    try:
        membership = apps.get_model("volunteers", "TeamMembership")
    except LookupError:
        return False
    return membership.objects.filter(
        volunteer__user=user, role="leader", status="active", team__is_active=True
    ).exists()


def staff(request):
    """What the menu offers the signed-in person, so no link ends in a 403:

    - ``xf_can_manage``: the staff entry (管理) — a staff role somewhere;
    - ``xf_menu.dashboard``: the dashboard (数据大屏) — a reading role (staff or leader);
    - ``xf_menu.take_orders``: the team inbox (接单) — a team leader.

    Evaluated lazily (one cached role query, one membership query) and only where used.
    """
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated

    def can_manage() -> bool:
        return bool(signed_in and scope_paths(user, STAFF_ROLES) != [])

    class Menu:
        @cached_property
        def dashboard(self) -> bool:
            return bool(signed_in and scope_paths(user, READ_ROLES) != [])

        @cached_property
        def take_orders(self) -> bool:
            if not signed_in:
                return False
            return Role.TEAM_LEADER in roles_of(user) or _leads_a_team(user)

    return {"xf_can_manage": can_manage, "xf_menu": Menu()}
