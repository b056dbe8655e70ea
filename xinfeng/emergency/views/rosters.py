"""Standby roster pages: a team's rota and who is on standby now; a volunteer's own skills,
home village and unavailability."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from xinfeng.core.errors import DomainError, PermissionDenied
from xinfeng.core.pages import apply_errors
from xinfeng.volunteers.models import Team, Volunteer

from .. import forms as f
from ..models import EmergencyProfile, StandbyShift, Unavailability
from ..services import rosters as svc


@login_required
def team_roster(request, pk: int):
    team = get_object_or_404(Team, pk=pk)
    if not svc.may_keep_roster(request.user, team):
        raise PermissionDenied(svc.NOT_ROSTER_KEEPER)
    form = f.ShiftForm(request.POST or None, team=team)
    status = 200
    if request.method == "POST" and request.POST.get("delete"):
        shift = get_object_or_404(StandbyShift, pk=request.POST["delete"], team=team)
        svc.shift_delete(actor=request.user, shift=shift)
        return redirect("emergency:roster", team.pk)
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.shift_create(actor=request.user, team=team, **form.cleaned_data)
            except DomainError as exc:
                status = apply_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("emergency:roster", team.pk)
        else:
            status = 400
    on_now = svc.on_standby_ids([team.pk])
    return render(
        request,
        "emergency/roster.html",
        {
            "team": team,
            "shifts": StandbyShift.objects.filter(team=team).prefetch_related("members"),
            "on_now": Volunteer.objects.filter(pk__in=on_now).order_by("name"),
            "form": form,
        },
        status=status,
    )


@login_required
def my_profile(request):
    volunteer = getattr(request.user, "volunteer", None)
    if volunteer is None:
        return redirect("volunteers:me")
    profile = EmergencyProfile.objects.filter(volunteer=volunteer).first()
    initial = {"skills": profile.skills, "home_village": profile.home_village} if profile else {}
    which = request.POST.get("form") if request.method == "POST" else None
    form = f.ProfileForm(request.POST if which == "profile" else None, initial=initial)
    away = f.UnavailabilityForm(request.POST if which == "away" else None)
    status = 200
    target = form if which == "profile" else away
    if which and target.is_valid():
        try:
            if which == "profile":
                svc.profile_set(actor=request.user, volunteer=volunteer, **form.cleaned_data)
            else:
                svc.unavailability_add(actor=request.user, volunteer=volunteer, **away.cleaned_data)
        except DomainError as exc:
            status = apply_errors(target, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("emergency:me")
    elif which:
        status = 400
    return render(
        request,
        "emergency/me.html",
        {
            "form": form,
            "away": away,
            "periods": Unavailability.objects.filter(volunteer=volunteer).order_by("-starts_at")[
                :20
            ],
        },
        status=status,
    )
