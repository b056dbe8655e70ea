"""Temporary station pages: the staff page (services, who is there, check people in and
out) and the volunteer's QR check-in page."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.activities.models import Activity
from xinfeng.core.errors import DomainError, ValidationFailed
from xinfeng.core.pages import apply_errors
from xinfeng.projects.models import Project
from xinfeng.volunteers.models import Volunteer

from .. import forms as f
from .. import selectors
from ..choices import CheckinMethod
from ..models import Station, StationShift
from ..policy import may_run
from ..services import stations as svc


def _context(request, station, **forms):
    return {
        "station": station,
        "incident": station.incident,
        "shifts": StationShift.objects.filter(station=station).select_related(
            "volunteer", "record"
        )[:200],
        "services": Activity.objects.filter(site=station.site).order_by("starts_at")[:50],
        "may_run": may_run(request.user, station.incident),
        "checkin_url": request.build_absolute_uri(f"/emergency/s/{station.checkin_token}/"),
        "service_form": forms.get("service_form") or f.ServiceForm(prefix="service"),
        "check_form": forms.get("check_form") or f.StaffCheckForm(prefix="check"),
        "project_form": forms.get("project_form") or f.StationProjectForm(prefix="project"),
        "projects": Project.objects.filter(site=station.site).order_by("id"),
    }


@login_required
def station_detail(request, pk: int):
    station = selectors.station_get(user=request.user, pk=pk)
    forms, status = {}, 200
    which = request.POST.get("form") if request.method == "POST" else None
    if which == "service":
        form = forms["service_form"] = f.ServiceForm(request.POST, prefix="service")
        if form.is_valid():
            try:
                svc.station_service_add(actor=request.user, station=station, **form.cleaned_data)
            except DomainError as exc:
                status = apply_errors(form, exc)
            else:
                messages.success(request, _("已添加服务。"))
                return redirect("emergency:station", station.pk)
        else:
            status = 400
    elif which == "project":
        form = forms["project_form"] = f.StationProjectForm(request.POST, prefix="project")
        if form.is_valid():
            try:
                svc.station_project_add(actor=request.user, station=station, **form.cleaned_data)
            except DomainError as exc:
                status = apply_errors(form, exc)
            else:
                messages.success(request, _("已添加服务。"))
                return redirect("emergency:station", station.pk)
        else:
            status = 400
    elif which in ("checkin", "checkout"):
        form = forms["check_form"] = f.StaffCheckForm(request.POST, prefix="check")
        if form.is_valid():
            try:
                volunteer = Volunteer.objects.filter(number=form.cleaned_data["number"]).first()
                if volunteer is None:
                    raise ValidationFailed(_("没有这个志愿者编号。"), code="no_volunteer")
                action = svc.station_checkin if which == "checkin" else svc.station_checkout
                action(
                    actor=request.user,
                    station=station,
                    volunteer=volunteer,
                    method=CheckinMethod.STAFF,
                )
            except DomainError as exc:
                status = apply_errors(form, exc)
            else:
                messages.success(request, _("已登记：%(n)s") % {"n": volunteer.name})
                return redirect("emergency:station", station.pk)
        else:
            status = 400
    return render(
        request, "emergency/station.html", _context(request, station, **forms), status=status
    )


@require_safe
@login_required
def station_qr(request, pk: int):
    """The station's check-in QR code: an SVG of the self check-in page's address, to print
    and put up at the resettlement point."""
    station = selectors.station_get(user=request.user, pk=pk)
    url = request.build_absolute_uri(
        reverse("emergency:self_checkin", args=[station.checkin_token])
    )
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=True)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@login_required
@require_POST
def station_close(request, pk: int):
    station = selectors.station_get(user=request.user, pk=pk)
    svc.station_close(actor=request.user, station=station)
    messages.success(request, _("临时分站已关闭。"))
    return redirect("emergency:station", station.pk)


@login_required
def self_checkin(request, token: str):
    """The page the station's QR code opens: the signed-in volunteer checks in or out."""
    station = get_object_or_404(
        Station.objects.select_related("site", "incident"), checkin_token=token
    )
    volunteer = getattr(request.user, "volunteer", None)
    error, status = "", 200
    if request.method == "POST" and volunteer is not None:
        action = svc.station_checkin if request.POST.get("do") == "in" else svc.station_checkout
        try:
            action(actor=request.user, station=station, volunteer=volunteer, token=token)
        except DomainError as exc:
            error, status = str(exc.detail), exc.status
        else:
            messages.success(
                request, _("已签到。") if request.POST.get("do") == "in" else _("已签退。")
            )
            return redirect("emergency:self_checkin", token)
    open_shift = (
        StationShift.objects.filter(
            station=station, volunteer=volunteer, checked_out_at__isnull=True
        ).first()
        if volunteer
        else None
    )
    return render(
        request,
        "emergency/self_checkin.html",
        {"station": station, "volunteer": volunteer, "open_shift": open_shift, "error": error},
        status=status,
    )
