"""The funding ledger pages: budget vs spent for a place, its lines, recording, approving,
refusing and reversing (all through ``services.ledger``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfeng.core.errors import DomainError, NotFound
from xinfeng.core.pages import apply_errors
from xinfeng.regions.models import Region

from .. import forms as f
from .. import policy, presenters, selectors
from ..money import fen_to_yuan
from ..services import ledger as svc


def _place_and_year(request):
    raw = request.GET.get("region") or request.POST.get("region_ctx")
    region = selectors.region_or_default(
        request.user, int(raw) if raw and str(raw).isdigit() else None
    )
    year = request.GET.get("year") or request.POST.get("year_ctx") or ""
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
    return region, year


def _back(region, year):
    return redirect(f"{reverse('assessment:funding')}?region={region.pk}&year={year}")


@login_required
def funding(request, alloc_form=None, spend_form=None, status=200):
    region, year = _place_and_year(request)
    summary = selectors.funding_summary(request.user, region=region, year=year)
    for row in summary:
        for key in ("received", "passed_down", "spent", "spent_subtree", "holds"):
            row[f"{key}_yuan"] = fen_to_yuan(row[f"{key}_fen"])
    lines = {
        kind: [
            presenters.line_out(x, request.user)
            for x in selectors.ledger_lines(request.user, kind, year=year, region=region)[:50]
        ]
        for kind in selectors.KINDS
    }
    costs = selectors.cost_per_order(request.user, region=region, year=year)
    may_record = policy.may_record(request.user, region)
    alloc_form = alloc_form or f.AllocationForm(initial={"year": year})
    alloc_form.fields["region"].widget.choices = [
        (r.pk, r.display_name) for r in Region.objects.filter(parent=region).order_by("path")
    ]
    return render(
        request,
        "assessment/funding.html",
        {
            "region": region,
            "year": year,
            "years": list(range(timezone.localdate().year, 2018, -1)),
            "children": Region.objects.filter(parent=region).order_by("path"),
            "summary": summary,
            "allocations": lines["allocations"],
            "expenditures": lines["expenditures"],
            "cost_per_order": fen_to_yuan(costs["cost_per_order_fen"])
            if costs["cost_per_order_fen"] is not None
            else None,
            "orders_served": costs["orders_served"],
            "activities": [
                {**a, "cost_yuan": fen_to_yuan(a["cost_fen"])}
                for a in selectors.cost_per_activity(request.user, region=region, year=year)[:20]
            ],
            "may_record": may_record,
            "alloc_form": alloc_form,
            "spend_form": spend_form
            or f.ExpenditureForm(initial={"spent_on": timezone.localdate()}),
            "reverse_form": f.ReverseForm(),
        },
        status=status,
    )


@login_required
@require_POST
def allocation_new(request):
    region, year = _place_and_year(request)
    form = f.AllocationForm(request.POST)
    form.fields["region"].widget.choices = []
    if form.is_valid():
        try:
            to = selectors.readable_region(request.user, form.cleaned_data["region"])
            svc.allocation_create(
                actor=request.user,
                year=form.cleaned_data["year"],
                source=form.cleaned_data["source"],
                region=to,
                from_region=region,
                amount_fen=form.cleaned_data["amount_fen"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            return funding(request, alloc_form=form, status=apply_errors(form, exc))
        messages.success(request, _("已录入，待上一级审批。"))
        return _back(region, year)
    return funding(request, alloc_form=form, status=400)


@login_required
@require_POST
def expenditure_new(request):
    region, year = _place_and_year(request)
    form = f.ExpenditureForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            svc.expenditure_create(
                actor=request.user,
                region=region,
                source=d["source"],
                spent_on=d["spent_on"],
                payee=d["payee"],
                purpose=d["purpose"],
                amount_fen=d["amount_fen"],
                receipt=d["receipt"],
            )
        except DomainError as exc:
            return funding(request, spend_form=form, status=apply_errors(form, exc))
        messages.success(request, _("已录入，待上一级审批。"))
        return _back(region, year)
    return funding(request, spend_form=form, status=400)


@login_required
@require_POST
def line_action(request, ledger: str, line_id: int, action: str):
    if action not in ("approve", "reject", "reverse"):
        raise NotFound()
    region, year = _place_and_year(request)
    line = selectors.ledger_line(request.user, ledger, line_id)
    if action == "approve":
        svc.line_approve(actor=request.user, line=line)
        messages.success(request, _("已审批入账。"))
    elif action == "reject":
        svc.line_reject(actor=request.user, line=line)
        messages.success(request, _("已退回。"))
    else:
        form = f.ReverseForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写冲正原因。"))
            return _back(region, year)
        svc.line_reverse(actor=request.user, line=line, reason=form.cleaned_data["reason"])
        messages.success(request, _("已录入冲正记录，待上一级审批。"))
    return _back(region, year)
