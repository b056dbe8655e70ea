"""The project shell's template context: what the menu offers the signed-in person, so no
link ends in a 403. It sits above every app (like ``urls.py`` and ``base.html``), so it asks
each app's own policy instead of reaching into their tables.

- ``xf_can_manage``: the staff entry (管理) — ``accounts.scope.is_staff_anywhere``;
- ``xf_menu.dashboard``: the dashboard (数据大屏) — ``accounts.scope.reads_anywhere``;
- ``xf_menu.take_orders``: the team inbox (接单) — a team leader
  (``volunteers.policy.leads_any_team``, cached per person for a minute).

Evaluated lazily, only where a template uses them.
"""

from functools import cached_property

from xinfeng.accounts.choices import Role
from xinfeng.accounts.scope import is_staff_anywhere, reads_anywhere, roles_of
from xinfeng.volunteers.policy import leads_any_team


def menu(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated

    def can_manage() -> bool:
        return signed_in and is_staff_anywhere(user)

    class Menu:
        @cached_property
        def dashboard(self) -> bool:
            return signed_in and reads_anywhere(user)

        @cached_property
        def take_orders(self) -> bool:
            if not signed_in:
                return False
            return Role.TEAM_LEADER in roles_of(user) or leads_any_team(user)

    return {"xf_can_manage": can_manage, "xf_menu": Menu(), **care(request)}


def care(request):
    """Part of ``menu`` (one context processor for the shell). 长辈模式 (``accounts.care``): ``xf_care`` (no query) and ``xf_station`` — the site
    responsible for the person's home village (the orders rule, ``deepest_site_for``), for
    the one-tap 呼叫驿站; looked up only where a template uses it (care mode)."""
    from django.utils.functional import SimpleLazyObject

    from xinfeng.accounts.care import care_on
    from xinfeng.orders.services._common import deepest_site_for

    def station():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.home_region_id is None:
            return None
        return deepest_site_for(user.home_region)

    return {"xf_care": care_on(request), "xf_station": SimpleLazyObject(station)}
