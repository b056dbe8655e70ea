"""The search endpoints of ``places.pickers.SearchPicker`` (htmx fragments of radios).

``/places/pick/sites/``: parent-site candidates in the signed-in user's staff scope (and
the regions above it), as ``selectors.parent_candidates``. ``/places/pick/regions/``:
regions, either in the user's staff scope (``scope=staff``) or all of them
(``scope=public``: region names and codes are public, e.g. volunteer self-registration),
optionally of some levels only. Bad parameters answer 400, never a 500.
"""

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from xinfeng.regions.models import Region
from xinfeng.regions.pickers import FIELD_NAME_RE, QUERY_MAX, options, parse_levels

from . import selectors


def _params(request):
    field = request.GET.get("field") or ""
    if not FIELD_NAME_RE.fullmatch(field):
        return None
    q = (request.GET.get("q") or "").strip()[:QUERY_MAX].replace("\x00", "")
    return field, q, request.GET.get(field), request.GET.get("required") == "1"


def _render(request, qs, *, kind, field, q, selected, required):
    chosen, rows, more = options(qs, kind=kind, q=q, selected=selected)
    context = {
        "name": field,
        "required": required,
        "selected": chosen,
        "options": rows,
        "more": more,
        "searched": bool(q),
    }
    return render(request, "regions/widgets/_picker_options.html", context)


def scoped_pick(request, *, kind: str, queryset_for) -> HttpResponse:
    """A signed-in user's search over ``queryset_for(user)`` (``exclude=<id>`` drops one
    row, e.g. the object being edited): the endpoint body other apps' pickers reuse."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    parsed = _params(request)
    if parsed is None:
        return HttpResponseBadRequest()
    field, q, selected, required = parsed
    qs = queryset_for(request.user)
    exclude = request.GET.get("exclude") or ""
    if exclude.isdigit() and len(exclude) <= 18:
        qs = qs.exclude(pk=int(exclude))
    return _render(request, qs, kind=kind, field=field, q=q, selected=selected, required=required)


@never_cache
@require_safe
def pick_sites(request):
    return scoped_pick(
        request, kind="sites", queryset_for=lambda user: selectors.parent_candidates(user=user)
    )


@never_cache
@require_safe
def pick_regions(request):
    parsed = _params(request)
    if parsed is None:
        return HttpResponseBadRequest()
    field, q, selected, required = parsed
    scope = request.GET.get("scope") or "staff"
    if scope == "public":
        qs = Region.objects.all()
    elif scope == "staff":
        if not request.user.is_authenticated:
            return HttpResponse(status=401)
        qs = selectors.regions_managed_by(user=request.user)
    else:
        return HttpResponseBadRequest()
    levels = parse_levels(request.GET.get("levels"))
    if levels:
        qs = qs.filter(level__in=levels)
    return _render(
        request, qs, kind="regions", field=field, q=q, selected=selected, required=required
    )
