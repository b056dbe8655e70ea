"""The search endpoints of the volunteers staff pickers (htmx fragments of radios, the
same widget as ``places``): ``/volunteers/pick/sites/`` searches the sites of the user's
staff scope, ``/volunteers/pick/teams/`` the active teams of that scope and the regions
above it (``exclude`` drops the team being edited). Signed out answers 401, bad
parameters 400, never a 500; nothing outside the scope is ever listed."""

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xinfeng.places.pickers import FIELD_NAME_RE, QUERY_MAX, options

from .pickers import parent_team_candidates, staff_sites


def _pick(request, kind: str, qs_for):
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    field = request.GET.get("field") or ""
    if not FIELD_NAME_RE.fullmatch(field):
        return HttpResponseBadRequest()
    q = (request.GET.get("q") or "").strip()[:QUERY_MAX].replace("\x00", "")
    qs = qs_for(request.user)
    exclude = request.GET.get("exclude") or ""
    if exclude.isdigit() and len(exclude) <= 18:
        qs = qs.exclude(pk=int(exclude))
    chosen, rows, more = options(qs, kind=kind, q=q, selected=request.GET.get(field))
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
def pick_sites(request):
    return _pick(request, "sites", staff_sites)


@never_cache
@require_GET
def pick_teams(request):
    return _pick(request, "teams", parent_team_candidates)
