"""The search endpoints of the volunteers staff pickers (htmx fragments of radios, the
same widget as ``places``): ``/volunteers/pick/sites/`` searches the sites of the user's
staff scope, ``/volunteers/pick/teams/`` the active teams of that scope and the regions
above it (``exclude`` drops the team being edited). Signed out answers 401, bad
parameters 400, never a 500; nothing outside the scope is ever listed."""

from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from xinfeng.places.views_pickers import scoped_pick
from xinfeng.volunteers.pickers import parent_team_candidates, staff_sites


@never_cache
@require_safe
def pick_sites(request):
    return scoped_pick(request, kind="sites", queryset_for=staff_sites)


@never_cache
@require_safe
def pick_teams(request):
    return scoped_pick(request, kind="teams", queryset_for=parent_team_candidates)
