"""Search endpoints of the activity form's pickers (htmx fragments of radios, the widget of
``places.pickers``): ``/activities/manage/pick/projects/`` searches the projects of the
user's staff scope, ``/activities/manage/pick/venues/`` the active rooms of the sites they
manage, by name or site name; the same querysets the form accepts. Signed out answers
401, bad parameters 400, never a 500; nothing outside the scope is ever listed."""

from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from xinfeng.places.views_pickers import scoped_pick

from ..forms import organiser_projects, organiser_venues


@never_cache
@require_safe
def pick_projects(request):
    return scoped_pick(request, kind="projects", queryset_for=organiser_projects)


@never_cache
@require_safe
def pick_venues(request):
    return scoped_pick(request, kind="venues", queryset_for=organiser_venues)
