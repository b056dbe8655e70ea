"""Incident pages: the list, declaring, the incident's page with its forms, closing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError, PermissionDenied
from xinfeng.core.pages import apply_errors

from .. import forms as f
from .. import selectors
from ..choices import IncidentStatus
from ..models import Sitrep
from ..policy import NOT_DECLARER, may_declare, may_run
from ..services import callouts as callout_svc
from ..services import incidents as svc
from ..services import needs as need_svc
from ..services import sitreps as sitrep_svc
from ..services import stations as station_svc


@require_safe
@login_required
def incident_list(request):
    """Open incidents first, drills apart; a volunteer sees the tasks near home."""
    qs = selectors.incident_list(user=request.user)
    may_declare_any = f.regions_for(request.user).exists()
    return render(
        request,
        "emergency/incident_list.html",
        {
            "open": list(qs.filter(status=IncidentStatus.OPEN, is_exercise=False)),
            "drills": list(qs.filter(is_exercise=True)[:20]),
            "closed": list(qs.filter(status=IncidentStatus.CLOSED, is_exercise=False)[:20]),
            "may_declare": may_declare_any,
            "my_needs": list(selectors.needs_for_volunteer(request.user)[:20]),
            "roster_teams": selectors.roster_teams(request.user),
        },
    )


@login_required
def incident_declare(request):
    if not f.regions_for(request.user).exists():
        raise PermissionDenied(NOT_DECLARER, code="not_declarer")
    form = f.DeclareForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            incident = svc.incident_declare(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            messages.success(request, _("已启动应急响应。"))
            return redirect("emergency:detail", incident.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "emergency/declare.html", {"form": form}, status=status)


def _forms(incident, data=None, which=None):
    def make(name, cls, **kw):
        return cls(data if which == name else None, prefix=name, **kw)

    return {
        "callout_form": make("callout", f.CalloutForm, incident=incident),
        "need_form": make("need", f.NeedForm, incident=incident),
        "station_form": make("station", f.StationForm, incident=incident),
        "sitrep_form": make("sitrep", f.SitrepForm),
        "notice_form": make("notice", f.NoticeForm),
        "level_form": make("level", f.LevelForm),
    }


def _detail_context(request, incident, forms):
    return {
        "incident": incident,
        "affected": list(incident.affected_regions.all()),
        "events": list(incident.events.select_related("actor")),
        "callouts": list(incident.callouts.all()),
        "needs": list(incident.needs.select_related("region")),
        "stations": list(incident.stations.select_related("site")),
        "sitreps": list(incident.sitreps.all()),
        "notices": list(incident.notices.all()),
        "may_run": may_run(request.user, incident),
        "may_declare": may_declare(request.user, incident.region),
        **forms,
    }


ACTIONS = {
    "callout": lambda actor, inc, d: callout_svc.callout_create(
        actor=actor,
        incident=inc,
        **{
            **d,
            "teams": list(d["teams"]),
            "regions": list(d["regions"]),
        },
    ),
    "need": lambda actor, inc, d: need_svc.need_create(actor=actor, incident=inc, **d),
    "station": lambda actor, inc, d: station_svc.station_open(actor=actor, incident=inc, **d),
    "sitrep": lambda actor, inc, d: sitrep_svc.sitrep_create(actor=actor, incident=inc, **d),
    "notice": lambda actor, inc, d: svc.notice_publish(actor=actor, incident=inc, **d),
    "level": lambda actor, inc, d: svc.incident_set_level(actor=actor, incident=inc, **d),
}
DONE = {
    "callout": "emergency:board",
    "station": "emergency:station",
}


@login_required
def incident_detail(request, pk: int):
    incident = selectors.incident_get(user=request.user, pk=pk)
    which = request.POST.get("form") if request.method == "POST" else None
    forms = _forms(incident, request.POST, which)
    status = 200
    if which in ACTIONS:
        form = forms[f"{which}_form"]
        if form.is_valid():
            data = dict(form.cleaned_data)
            if which == "callout" and data.get("wave") is None:
                data.pop("wave")
            try:
                obj = ACTIONS[which](request.user, incident, data)
            except DomainError as exc:
                status = apply_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                if which in DONE:
                    return redirect(DONE[which], obj.pk)
                return redirect("emergency:detail", incident.pk)
        else:
            status = 400
    return render(
        request, "emergency/detail.html", _detail_context(request, incident, forms), status=status
    )


@login_required
@require_POST
def incident_close(request, pk: int):
    incident = selectors.incident_get(user=request.user, pk=pk)
    svc.incident_close(actor=request.user, incident=incident, note=request.POST.get("note", ""))
    messages.success(request, _("应急响应已结束。"))
    return redirect("emergency:detail", incident.pk)


@login_required
@require_POST
def need_close(request, pk: int):
    need = selectors.need_get(user=request.user, pk=pk)
    need_svc.need_close(actor=request.user, need=need)
    return redirect("emergency:detail", need.incident_id)


@login_required
@require_POST
def need_commit(request, pk: int):
    """A volunteer's 来 for one place of a task."""
    need = selectors.need_get(user=request.user, pk=pk)
    volunteer = getattr(request.user, "volunteer", None)
    if volunteer is None:
        messages.error(request, _("请先注册为志愿者。"))
        return redirect("emergency:list")
    try:
        need_svc.need_commit(actor=request.user, need=need, volunteer=volunteer)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("已认领：%(t)s") % {"t": need.title})
    return redirect("emergency:list")


@require_safe
@login_required
def sitrep_file(request, pk: int, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    sitrep = get_object_or_404(Sitrep.objects.select_related("incident"), pk=pk)
    selectors.incident_get(user=request.user, pk=sitrep.incident_id)
    name = f"sitrep-{sitrep.incident_id}-{sitrep.number}"
    if fmt == "pdf":
        response = HttpResponse(sitrep_svc.sitrep_pdf(sitrep), content_type="application/pdf")
    else:
        from xinfeng.core.spreadsheet import XLSX_CONTENT_TYPE

        response = HttpResponse(sitrep_svc.sitrep_xlsx(sitrep), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
