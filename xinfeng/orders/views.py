"""Phone-first pages of the order workflow: order, my orders, the operator queue, the
team leader's inbox, the order page (timeline and the moves open to the user), rating and
follow-ups. Pages call the same services as the API; a refused move shows its message."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from xinfeng.accounts.care import care_on
from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import scope_paths
from xinfeng.core.errors import DomainError, NotFound
from xinfeng.projects.selectors import project_list
from xinfeng.volunteers.models import Team, Volunteer
from xinfeng.volunteers.pickers import staff_regions, staff_sites

from . import member_picker, selectors, services
from .choices import AssignmentStatus, OrderChannel, OrderState
from .dispatch import suggest_teams
from .forms import CompleteForm, FollowUpForm, OrderForm, RateForm, StaffOrderForm
from .policy import eligible_teams, team_may_grab_order
from .presenters import present_events, present_order
from .services._common import leads_team
from .services.hours import HoursLine, hours_defaults, parse_hours

PAGE = 20


def _is_staff(user) -> bool:
    paths = scope_paths(user, STAFF_ROLES)
    return paths is None or bool(paths)


def _not_found(request):
    return render(request, "404.html", status=404)


def _paged(request, qs):
    return Paginator(qs.order_by("-id"), PAGE).get_page(request.GET.get("page"))


@login_required
def order_new(request):
    """点单 by a resident: a project from the menu, or a need in free text. In 长辈模式
    the three-step care flow (views_care) unless the full form is asked for."""
    if care_on(request) and not request.GET.get("full") and request.method == "GET":
        target = reverse("orders:care")
        if request.GET.get("project"):
            target += "?" + urlencode({"project": request.GET["project"]})
        return redirect(target)
    return _order_form(request, staff=False)


@login_required
def order_new_staff(request):
    """代点单 / 制单 by staff of the area."""
    if not _is_staff(request.user):
        return _not_found(request)
    return _order_form(request, staff=True)


def _order_form(request, *, staff: bool):
    user = request.user
    # Where the user lives: their home region, else where they hold a role.
    region = user.home_region or next(
        (a.region for a in user.role_assignments.select_related("region")), None
    )
    projects = list(project_list(user=user, orderable_at=region)) if region else []
    if not projects:
        projects = list(project_list(user=user, status="active").order_by("name")[:200])
    initial = {
        "region": region.pk if region else None,
        "contact_name": "" if staff else user.name,
        "contact_phone": "" if staff else (user.phone or ""),
        "idempotency_key": uuid.uuid4().hex,
        "project": request.GET.get("project"),
    }
    kwargs = {"projects": projects}
    form_class = OrderForm
    if staff:
        form_class = StaffOrderForm
        # The staff scope, as the pickers' endpoints search it (never a whole-table select).
        kwargs["sites"] = staff_sites(user)
        kwargs["regions"] = staff_regions(user)
    form = form_class(request.POST or None, initial=initial, **kwargs)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        project = next((p for p in projects if p.pk == d["project"]), None)
        try:
            order, _created = services.order_create(
                actor=user,
                region=d["region"],
                project=project,
                title=d["title"],
                description=d["description"],
                category=d["category"],
                address=d["address"],
                latitude=d["latitude"],
                longitude=d["longitude"],
                wanted_from=d["wanted_from"],
                wanted_until=d["wanted_until"],
                contact_name=d["contact_name"],
                contact_phone=d["contact_phone"],
                beneficiary_age=d["beneficiary_age"],
                channel=d.get("channel") or OrderChannel.RESIDENT,
                site=d.get("site"),
                open_for_grab=d.get("open_for_grab") or False,
                idempotency_key=d["idempotency_key"] or None,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = exc.status
        else:
            messages.success(request, _("点单已提交，我们会尽快安排。"))
            return redirect("orders:detail", order.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "orders/order_form.html", {"form": form, "staff": staff}, status=status)


@login_required
def my_orders(request):
    """我的点单: the orders the user asked for."""
    qs = selectors.order_list(user=request.user, mine=True)
    return render(
        request,
        "orders/order_list.html",
        {
            "page": _paged(request, qs),
            "view": "mine",
            "title": _("我的点单"),
            "is_staff": _is_staff(request.user),
        },
    )


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
            "page": _paged(request, qs),
            "view": "queue",
            "tab": tab,
            "counts": counts,
            "title": _("派单台"),
        },
    )


@login_required
def team_inbox(request):
    """The team leader's inbox (and a member's tasks): orders dispatched to the user's
    teams, open orders they may grab, and orders they are named for."""
    user = request.user
    tab = request.GET.get("tab") or "todo"
    team_ids = list(selectors.led_teams(user).values_list("pk", flat=True))
    base = selectors.order_list(user=user)
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
            "page": _paged(request, qs),
            "view": "team",
            "tab": tab,
            "title": _("接单"),
            "leads": bool(team_ids),
        },
    )


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
@require_GET
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
