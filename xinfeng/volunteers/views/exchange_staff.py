"""The love supermarket counter (爱心超市) for staff: rewards at their sites, restocking, and
handing over open redemptions by pickup code."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfeng.core.errors import DomainError, PermissionDenied
from xinfeng.volunteers import selectors
from xinfeng.volunteers.choices import RedemptionStatus
from xinfeng.volunteers.forms import RewardForm
from xinfeng.volunteers.pickers import staff_sites
from xinfeng.volunteers.services import exchange
from xinfeng.volunteers.views.profiles import form_refusal, refusal


@login_required
def exchange_counter(request):
    """The love supermarket counter: rewards at my sites, open redemptions to hand over."""
    sites = staff_sites(request.user)
    if not sites.exists():
        return refusal(request, PermissionDenied(_("此页面仅供工作人员使用。")))
    form = RewardForm(request.POST or None, sites=sites)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                exchange.reward_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = form_refusal(form, exc)
            else:
                messages.success(request, _("已上架。"))
                return redirect("volunteers:staff_exchange")
        else:
            status = 400
    rewards = (
        selectors.reward_list(active_only=False)
        .filter(site__in=sites)
        .order_by("site__name", "points_cost", "id")[:200]
    )
    open_redemptions = selectors.redemption_list(
        user=request.user, status=RedemptionStatus.REQUESTED
    ).order_by("-id")[:100]
    return render(
        request,
        "volunteers/staff/exchange.html",
        {"form": form, "rewards": rewards, "redemptions": open_redemptions},
        status=status,
    )


@login_required
@require_POST
def reward_restock(request, reward_id: int):
    try:
        reward = selectors.reward_get(reward_id=reward_id)
        raw = request.POST.get("delta", "").strip()
        delta = int(raw) if raw.lstrip("-").isdigit() else 0
        exchange.reward_restock(actor=request.user, reward=reward, delta=delta)
    except DomainError as exc:
        return refusal(request, exc)
    messages.success(request, _("库存已更新。"))
    return redirect("volunteers:staff_exchange")


@login_required
@require_POST
def redemption_deliver(request, redemption_id: int):
    try:
        r = selectors.redemption_get(user=request.user, redemption_id=redemption_id)
        exchange.redemption_deliver(
            actor=request.user, redemption=r, pickup_code=request.POST.get("pickup_code", "")
        )
    except DomainError as exc:
        return refusal(request, exc)
    messages.success(request, _("已领取。"))
    return redirect("volunteers:staff_exchange")
