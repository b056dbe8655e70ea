"""Search endpoints of the activity form's pickers (htmx fragments of radios, the widget of
``places.pickers``): ``/activities/manage/pick/projects/`` searches the projects of the
user's staff scope, ``/activities/manage/pick/venues/`` the active rooms of the sites they
manage, by name or site name; the same querysets the form accepts. Signed out answers
401, bad parameters 400, never a 500; nothing outside the scope is ever listed."""

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xinfeng.places.pickers import FIELD_NAME_RE, QUERY_MAX, options

from ..forms import organiser_projects, organiser_venues


def _pick(request, kind: str, qs_for):
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    field = request.GET.get("field") or ""
    if not FIELD_NAME_RE.fullmatch(field):
        return HttpResponseBadRequest()
    q = (request.GET.get("q") or "").strip()[:QUERY_MAX].replace("\x00", "")
    chosen, rows, more = options(
        qs_for(request.user), kind=kind, q=q, selected=request.GET.get(field)
    )
    context = {
        "name": field,
        "required": request.GET.get("required") == "1",
        "selected": chosen,
        "options": rows,
        "more": more,
        "searched": bool(q),
    }
    return render(request, "places/widgets/_picker_options.html", context)


@never_cache
@require_GET
def pick_projects(request):
    return _pick(request, "projects", organiser_projects)


@never_cache
@require_GET
def pick_venues(request):
    return _pick(request, "venues", organiser_venues)
