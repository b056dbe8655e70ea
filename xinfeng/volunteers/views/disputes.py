"""Hours disputes on pages (时长申诉): the volunteer disputes a record from 我的时长 on their
phone; whoever may settle it answers on 时长申诉处理. Both call ``services.disputes``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfeng.core.errors import DomainError
from xinfeng.volunteers import selectors
from xinfeng.volunteers.services import disputes as services


@login_required
@require_POST
def me_hours_dispute(request, record_id: int):
    volunteer = selectors.volunteer_of(request.user)
    record = selectors.own_records(volunteer).filter(pk=record_id).first() if volunteer else None
    if record is None:
        return render(request, "404.html", status=404)
    try:
        services.hours_dispute_open(
            actor=request.user,
            record=record,
            reason=request.POST.get("reason", ""),
            claimed_hours=request.POST.get("claimed_hours") or None,
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("申诉已提交，组织方会尽快处理。"))
    return redirect(f"{reverse('volunteers:me_hours')}#record-{record_id}")


@login_required
def disputes(request):
    """Open disputes the user may settle; POST settles one (correct or keep)."""
    qs = selectors.disputes_to_resolve(user=request.user)
    if request.method == "POST":
        dispute = (
            selectors.disputes_to_resolve(user=request.user, status=None)
            .filter(
                pk=request.POST.get("dispute")
                if str(request.POST.get("dispute", "")).isdigit()
                else 0
            )
            .first()
        )
        if dispute is None:
            return render(request, "404.html", status=404)
        keep = request.POST.get("decision") == "keep"
        try:
            services.hours_dispute_resolve(
                actor=request.user,
                dispute=dispute,
                hours=None if keep else (request.POST.get("hours") or ""),
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("申诉已处理。"))
        return redirect("volunteers:hours_disputes")
    page = Paginator(qs.order_by("-id"), 30).get_page(request.GET.get("page"))
    return render(request, "volunteers/hours_disputes.html", {"page": page})
