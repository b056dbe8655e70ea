"""Order lists: my orders, the site's queue, the team inbox, follow-ups (回访), auto-dispatch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError

from .. import selectors, services
from ..choices import AssignmentStatus, OrderState
from ..forms import FollowUpForm
from ._common import PAGE, _is_staff, _not_found, _paged

# The columns a row of the order lists shows (read with values(): no model instances).
ROW_COLUMNS = (
    "id", "title", "state", "is_open", "region__name", "team_id", "team__name",
    "submitted_at", "due_at",
)  # fmt: skip


def _rows_page(request, qs):
    """A page of ``orders/_order_rows.html`` rows, newest first: the state's label once per
    response, the overdue flag and the detail link computed here, not per row in the
    template. The first page reads PAGE + 1 rows first: when they fit on it (most inboxes
    and residents' lists) the count is their number, and no COUNT query is made."""
    qs = qs.order_by("-id").values(*ROW_COLUMNS)
    number = request.GET.get("page")
    first = None
    if number in (None, "", "1"):
        first = list(qs[: PAGE + 1])
    if first is not None and len(first) <= PAGE:
        page = Paginator(first, PAGE).page(1)
    else:
        page = Paginator(qs, PAGE).get_page(number)
        if first is not None:  # page 1 of several: the rows are read already
            page.object_list = first[:PAGE]
    labels = {value: str(label) for value, label in OrderState.choices}
    link = reverse("orders:detail", kwargs={"order_id": 0}).removesuffix("0/")
    now = timezone.now()
    rows = list(page.object_list)
    for row in rows:
        row["state_label"] = labels.get(row["state"], row["state"])
        row["is_overdue"] = row["due_at"] is not None and row["due_at"] < now
        row["url"] = f"{link}{row['id']}/"
    page.object_list = rows
    return page


@require_safe
@login_required
def my_orders(request):
    """我的点单: the orders the user asked for."""
    qs = selectors.order_list(user=request.user, mine=True)
    return render(
        request,
        "orders/order_list.html",
        {
            "page": _rows_page(request, qs),
            "view": "mine",
            "title": _("我的点单"),
            "is_staff": _is_staff(request.user),
        },
    )


@require_safe
@login_required
def queue(request):
    """The operator's queue: orders to review and to dispatch at the sites they manage."""
    if not _is_staff(request.user):
        return _not_found(request)
    tab = request.GET.get("tab") or "review"
    qs = selectors.staff_queue(user=request.user)
    counts = qs.aggregate(
        review=Count("id", filter=Q(state=OrderState.SUBMITTED)),
        dispatch=Count("id", filter=Q(state=OrderState.PENDING_DISPATCH)),
    )
    if tab == "dispatch":
        qs = qs.filter(state=OrderState.PENDING_DISPATCH)
    elif tab == "all":
        qs = selectors.order_list(user=request.user)
    else:
        tab = "review"
        qs = qs.filter(state=OrderState.SUBMITTED)
    return render(
        request,
        "orders/order_list.html",
        {
            "page": _rows_page(request, qs),
            "view": "queue",
            "tab": tab,
            "counts": counts,
            "title": _("派单台"),
        },
    )


@require_safe
@login_required
def team_inbox(request):
    """The team leader's inbox (and a member's tasks): orders dispatched to the user's
    teams, open orders they may grab, and orders they are named for."""
    user = request.user
    tab = request.GET.get("tab") or "todo"
    memberships = selectors.user_memberships(user)  # one read for both
    team_ids = selectors.led_team_ids(user, memberships)
    base = selectors.order_list(user=user, memberships=memberships)
    if tab == "open":
        qs = base.filter(state=OrderState.PENDING_DISPATCH, is_open=True)
    elif tab == "doing":
        qs = base.filter(
            Q(team_id__in=team_ids) | Q(assignments__volunteer__user=user),
            state__in=[OrderState.ACCEPTED, OrderState.IN_SERVICE],
        ).distinct()
    elif tab == "done":
        qs = base.filter(
            Q(team_id__in=team_ids) | Q(assignments__volunteer__user=user),
            state__in=[OrderState.COMPLETED, OrderState.RATED],
        ).distinct()
    else:
        tab = "todo"
        qs = base.filter(
            Q(team_id__in=team_ids, state=OrderState.DISPATCHED)
            | Q(
                assignments__volunteer__user=user,
                assignments__status=AssignmentStatus.INVITED,
                state__in=[OrderState.ACCEPTED, OrderState.IN_SERVICE],
            )
        ).distinct()
    return render(
        request,
        "orders/order_list.html",
        {
            "page": _rows_page(request, qs),
            "view": "team",
            "tab": tab,
            "title": _("接单"),
            "leads": bool(team_ids),
        },
    )


@login_required
@require_POST
def auto_dispatch(request):
    """智能派单 from the queue: every pending order the operator may dispatch, at minimum
    total cost under the teams' capacities; each dispatch goes through order_dispatch."""
    if not _is_staff(request.user):
        return _not_found(request)
    report = services.orders_auto_dispatch(actor=request.user)
    messages.success(
        request,
        _("智能派单：已派 %(d)d 单，未能派出 %(u)d 单，失败 %(f)d 单。")
        % {"d": len(report.dispatched), "u": len(report.unassigned), "f": len(report.failed)},
    )
    return redirect(f"{reverse('orders:queue')}?tab=dispatch")


@require_safe
@login_required
def follow_ups(request):
    """回访: follow-ups after low ratings at the sites in the user's scope."""
    if not _is_staff(request.user):
        return _not_found(request)
    status = request.GET.get("status") or "open"
    qs = selectors.follow_up_list(user=request.user, status=status if status != "all" else None)
    return render(
        request,
        "orders/follow_ups.html",
        {"page": _paged(request, qs), "status": status},
    )


@login_required
def follow_up_close(request, follow_up_id: int):
    fu = selectors.follow_up_get(user=request.user, follow_up_id=follow_up_id)
    form = FollowUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_close(
                actor=request.user,
                follow_up=fu,
                outcome=form.cleaned_data["outcome"],
                resolved=form.cleaned_data["resolved"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = exc.status
        else:
            messages.success(request, _("回访结果已记录。"))
            return redirect("orders:follow_ups")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "orders/follow_up_close.html",
        {"fu": fu, "form": form, "rating": getattr(fu.order, "rating", None)},
        status=status,
    )
