"""One order's page and its actions: review, dispatch, accept with members, start, complete with hours, rate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError, NotFound
from xinfeng.volunteers.models import Team, Volunteer

from .. import member_picker, selectors, services
from ..choices import AssignmentStatus, OrderState
from ..dispatch import suggest_teams
from ..forms import CompleteForm, RateForm
from ..policy import eligible_teams, team_may_grab_order
from ..presenters import present_events, present_order
from ..services._common import leads_team
from ..services.hours import HoursLine, hours_defaults, parse_hours
from ._common import _not_found

# The dispatch form lists at most this many teams besides the suggestions.
MAX_TEAM_CHOICES = 200


def _team_choices(order):
    """Every team ``order_dispatch`` would accept now (``policy.eligible_teams`` with room),
    deepest region first, with its load."""
    return list(
        eligible_teams(order, with_room=True).order_by("-region__depth", "name")[:MAX_TEAM_CHOICES]
    )


def _visible_order(user, order_id: int):
    # A leader may open an order they could grab; anything else needs plain visibility.
    order = selectors.order_get(user=user, order_id=order_id, for_grab=True)
    if not (order.state == OrderState.PENDING_DISPATCH and order.is_open):
        order = selectors.order_get(user=user, order_id=order_id)
    return order


def _hours_rows(order, post=None) -> list[dict]:
    """The completion form's rows: one per serving member, default and bounds, and what
    the leader typed when the form comes back with an error."""
    rows = []
    for r in hours_defaults(order, now=timezone.now()):
        vid = r.assignment.volunteer_id
        rows.append(
            {
                "vid": vid,
                "name": r.volunteer.name,
                "number": r.volunteer.number,
                "default": r.default,
                "minimum": r.minimum,
                "maximum": r.maximum,
                "value": post.get(f"hours_{vid}", r.default) if post else r.default,
                "reason": post.get(f"reason_{vid}", "") if post else "",
            }
        )
    return rows


def _answers(assignments, needed: int) -> dict:
    """Who confirmed, declined, has not answered: the leader's view before starting."""
    confirmed = [a for a in assignments if a.status == AssignmentStatus.CONFIRMED]
    return {
        "needed": needed,
        "confirmed": len(confirmed),
        "waiting": [a for a in assignments if a.status == AssignmentStatus.INVITED],
        "declined": [a for a in assignments if a.status == AssignmentStatus.DECLINED],
        "enough": len(confirmed) >= needed,
    }


@require_safe
@login_required
def order_detail(request, order_id: int):
    order = _visible_order(request.user, order_id)
    return _render_detail(request, order)


def _render_detail(request, order, *, complete_form=None, complete_error=None, status=200):
    order = (
        selectors.order_detail_prefetch(type(order).objects.filter(pk=order.pk))
        .select_related("region", "site", "site__region", "site__parent", "team", "project")
        .get()
    )
    user = request.user
    led = list(selectors.led_teams(user))
    # One presenter for the page and the API: contact masking, the hidden rater, the
    # dispatch reason in the reader's language.
    view = present_order(user, order, request=request, led_teams=led)
    actions = view["allowed_actions"]
    name, phone = view["contact_name"], view["contact_phone"]
    ctx = {
        "order": order,
        "actions": actions,
        "contact_name": name,
        "contact_phone": phone,
        "rating": view["rating"],
        "events": present_events(user, order, selectors.order_events(order=order)),
        "view": view,
        "assignments": list(order.assignments.all()),
        "photos": list(order.photos.all()),
        "complete_form": complete_form or CompleteForm(),
        "complete_error": complete_error,
    }
    ctx["answers"] = _answers(ctx["assignments"], order.members_needed)
    ctx["my_assignment"] = next(
        (a for a in ctx["assignments"] if a.volunteer.user_id == user.pk), None
    )
    if "complete" in actions:
        ctx["hours_rows"] = _hours_rows(order, request.POST if complete_form else None)
    if "dispatch" in actions:
        ctx["suggestions"] = _suggestions(order)
        suggested = {e["team_id"] for e in ctx["suggestions"]}
        ctx["teams"] = [t for t in _team_choices(order) if t.pk not in suggested]
    if "accept" in actions or "add_members" in actions:
        ctx["candidates"], ctx["more"] = member_picker.candidates(order, order.team)
    if "grab" in actions:
        grab_teams = [t for t in led if team_may_grab_order(t, order)]
        ctx["grab_teams"] = grab_teams
        ctx["candidates"], ctx["more"] = (
            member_picker.candidates(order, grab_teams[0]) if grab_teams else ([], False)
        )
    return render(request, "orders/order_detail.html", ctx, status=status)


@never_cache
@require_safe
@login_required
def member_pick(request, order_id: int):
    """The accept form's member search (htmx fragment of checkboxes): the members already
    ticked stay ticked on top, then the free and skilled matches first. Leaders of the
    order's team (or, for an open order, of the team they grab with) only."""
    order = _visible_order(request.user, order_id)
    team = order.team
    if order.state == OrderState.PENDING_DISPATCH and order.is_open:
        team = Team.objects.filter(pk=_int(request.GET.get("team"))).first()
    if team is None or not leads_team(request.user, team):
        return _not_found(request)
    chosen = [int(x) for x in request.GET.getlist("members") if x.isdigit() and len(x) < 19]
    q = request.GET.get("q") or ""
    rows, more = member_picker.candidates(order, team, q=q, chosen_ids=chosen[:50])
    return render(
        request,
        "orders/_member_options.html",
        {"candidates": rows, "more": more, "searched": bool(q.strip())},
    )


def _suggestions(order) -> list:
    """Ranked teams with the dispatch engine's transparent scores and reasons."""
    return suggest_teams(order, limit=5)


ACTIONS = {
    "approve",
    "reject",
    "open",
    "dispatch",
    "grab",
    "accept",
    "decline",
    "cancel",
    "start",
    "complete",
    "confirm",
    "member-decline",
    "members",
}


@login_required
@require_POST
def order_act(request, order_id: int, action: str):
    """Perform one move from the order page; refusals come back as a message."""
    if action not in ACTIONS:
        return _not_found(request)
    user = request.user
    try:
        order = selectors.order_get(user=user, order_id=order_id, for_grab=action == "grab")
        reason = request.POST.get("reason", "")
        member_ids = [int(x) for x in request.POST.getlist("members") if x.isdigit()]
        members = list(Volunteer.objects.filter(pk__in=member_ids))
        if action == "approve":
            services.order_approve(actor=user, order=order, reason=reason)
        elif action == "reject":
            services.order_reject(actor=user, order=order, reason=reason)
        elif action == "open":
            services.order_open_for_grab(actor=user, order=order, reason=reason)
        elif action == "dispatch":
            team = Team.objects.filter(pk=_int(request.POST.get("team"))).first()
            if team is None:
                raise DomainError(_("请选择一支队伍。"))
            # The service records the engine's score of the chosen team.
            services.order_dispatch(actor=user, order=order, team=team, reason=reason)
        elif action == "grab":
            team = Team.objects.filter(pk=_int(request.POST.get("team"))).first()
            if team is None:
                raise DomainError(_("请选择一支队伍。"))
            services.order_grab(
                actor=user,
                order=order,
                team=team,
                members=members,
                members_needed=_int(request.POST.get("members_needed")),
            )
        elif action == "accept":
            services.order_accept(
                actor=user,
                order=order,
                members=members,
                reason=reason,
                members_needed=_int(request.POST.get("members_needed")),
            )
        elif action == "decline":
            services.order_decline(actor=user, order=order, reason=reason)
        elif action == "cancel":
            services.order_cancel(actor=user, order=order, reason=reason)
        elif action == "start":
            services.order_start(actor=user, order=order)
        elif action == "complete":
            return _complete(request, order)
        elif action in ("confirm", "member-decline"):
            services.assignment_answer(actor=user, order=order, confirm=action == "confirm")
        elif action == "members":
            services.order_members_add(actor=user, order=order, members=members)
    except NotFound:
        return _not_found(request)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("操作成功。"))
    return redirect("orders:detail", order_id)


def _complete(request, order):
    """完成服务 with the hours the leader confirms per member. A refusal re-renders the
    order page with what was typed and the reason at the form (400/409), not a redirect."""
    form = CompleteForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("请填写服务报告。"))
        lines = [
            HoursLine(
                volunteer_id=int(key.removeprefix("hours_")),
                hours=parse_hours(value),
                reason=request.POST.get(f"reason_{key.removeprefix('hours_')}", ""),
            )
            for key, value in request.POST.items()
            if key.startswith("hours_") and key.removeprefix("hours_").isdigit() and len(key) < 30
        ]
        services.order_complete(
            actor=request.user,
            order=order,
            report=form.cleaned_data["report"],
            people_served=form.cleaned_data["people_served"],
            photos=request.FILES.getlist("photos"),
            member_hours=lines,
        )
    except DomainError as exc:
        return _render_detail(
            request, order, complete_form=form, complete_error=str(exc.detail), status=exc.status
        )
    messages.success(request, _("操作成功。"))
    return redirect("orders:detail", order.pk)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@login_required
def order_rate(request, order_id: int):
    """评单: five levels, optional dimensions and a comment."""
    order = selectors.order_get(user=request.user, order_id=order_id)
    form = RateForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.order_rate(
                actor=request.user,
                order=order,
                level=form.cleaned_data["level"],
                dimensions=form.dimensions(),
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = exc.status
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("orders:detail", order.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "orders/order_rate.html", {"order": order, "form": form}, status=status)
