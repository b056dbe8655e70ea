"""Team pages: the 1+7+N directory, a team's page with its roster and join requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.accounts.scope import has_role_at
from xinfeng.core.errors import DomainError, NotFound
from xinfeng.places.cascade import region_cascade
from xinfeng.volunteers import selectors
from xinfeng.volunteers.choices import MembershipStatus, ServiceCategory, TeamType
from xinfeng.volunteers.forms import AddMemberForm
from xinfeng.volunteers.models import TeamMembership, Volunteer
from xinfeng.volunteers.policy import user_leads_team
from xinfeng.volunteers.presenters import masked_contacts
from xinfeng.volunteers.services import teams
from xinfeng.volunteers.views.profiles import form_refusal, refusal


@require_safe
def team_directory(request):
    """All teams, filterable by type, field of service, township and text (htmx)."""
    team_type = request.GET.get("type") or None
    if team_type not in TeamType.values:
        team_type = None
    category = request.GET.get("category") or None
    if category not in ServiceCategory.values:
        category = None
    cascade = region_cascade(request.GET)
    region = cascade.selected
    q = (request.GET.get("q") or "").strip()[:50]
    standby = request.GET.get("standby") == "1"
    qs = selectors.team_list(
        region=region,
        team_type=team_type,
        category=category,
        q=q or None,
        standby=True if standby else None,
    ).order_by("team_type", "id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "team_type": team_type,
        "category": category,
        "region": region,
        "q": q,
        "standby": standby,
        "types": TeamType.choices,
        "categories": ServiceCategory.choices,
        "cascade": cascade,
        "category_labels": dict(ServiceCategory.choices),
    }
    template = "volunteers/_team_rows.html" if request.htmx else "volunteers/team_directory.html"
    return render(request, template, context)


@require_safe
def team_detail(request, team_id: int):
    team = selectors.team_get(team_id=team_id)
    user = request.user
    volunteer = selectors.volunteer_of(user)
    my_membership = None
    if volunteer is not None:
        my_membership = (
            TeamMembership.objects.filter(
                team=team,
                volunteer=volunteer,
                status__in=[MembershipStatus.PENDING, MembershipStatus.ACTIVE],
            )
            .order_by("-id")
            .first()
        )
    can_see_roster = selectors.may_see_members(user, team)
    can_manage = user.is_authenticated and (
        has_role_at(user, team.region) or user_leads_team(user, team)
    )
    roster = pending = history = []
    if can_see_roster:
        all_members = list(selectors.team_memberships(user=user, team=team))
        roster = [m for m in all_members if m.status == MembershipStatus.ACTIVE]
        pending = [m for m in all_members if m.status == MembershipStatus.PENDING]
        history = [
            m for m in all_members if m.status in (MembershipStatus.LEFT, MembershipStatus.REJECTED)
        ]
        for m in roster:
            m.phone_masked = masked_contacts(m.volunteer)["phone"]
    context = {
        "team": team,
        "children": team.children.filter(is_active=True).order_by("id")[:50],
        "category_labels": [
            ServiceCategory(c).label for c in team.service_categories if c in ServiceCategory.values
        ],
        "my_membership": my_membership,
        "is_volunteer": volunteer is not None,
        "can_see_roster": can_see_roster,
        "can_manage": can_manage,
        "is_staff": user.is_authenticated and has_role_at(user, team.region),
        "roster": roster,
        "pending": pending if can_manage else [],
        "history": history if can_manage else [],
        "add_form": AddMemberForm(),
    }
    return render(request, "volunteers/team_detail.html", context)


@login_required
@require_POST
def team_join(request, team_id: int):
    try:
        team = selectors.team_get(team_id=team_id)
        teams.team_join_request(
            actor=request.user, team=team, message=request.POST.get("message", "")
        )
    except DomainError as exc:
        return refusal(request, exc)
    messages.success(request, _("已提交入队申请，等待队长审核。"))
    return redirect("volunteers:team_detail", team_id=team_id)


@login_required
@require_POST
def membership_action(request, membership_id: int, action: str):
    """approve / reject / leave (own, or remove by leader/staff) / lead / member."""
    try:
        m = selectors.membership_get(user=request.user, membership_id=membership_id)
        if action == "approve":
            teams.membership_decide(actor=request.user, membership=m, approve=True)
            messages.success(request, _("已通过 %(name)s 的申请。") % {"name": m.volunteer.name})
        elif action == "reject":
            teams.membership_decide(actor=request.user, membership=m, approve=False)
            messages.success(request, _("已拒绝该申请。"))
        elif action == "leave":
            teams.membership_leave(actor=request.user, membership=m)
            messages.success(request, _("已退出队伍（服务记录保留）。"))
        elif action in ("leader", "member"):
            teams.membership_set_role(actor=request.user, membership=m, role=action)
            messages.success(request, _("角色已更新。"))
        else:
            raise NotFound()
    except DomainError as exc:
        return refusal(request, exc)
    target = request.POST.get("next", "")
    if target == "me_teams":
        return redirect("volunteers:me_teams")
    return redirect("volunteers:team_detail", team_id=m.team_id)


@login_required
@require_POST
def team_add_member(request, team_id: int):
    team = selectors.team_get(team_id=team_id)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            volunteer = Volunteer.objects.filter(
                number=form.cleaned_data["volunteer_number"].strip().upper()
            ).first()
            if volunteer is None:
                raise NotFound(_("没有这个志愿者编号。"))
            volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer.pk)
            teams.team_add_member(
                actor=request.user, team=team, volunteer=volunteer, role=form.cleaned_data["role"]
            )
        except NotFound:
            form.add_error("volunteer_number", _("没有这个志愿者编号，或不在您的管理范围内。"))
        except DomainError as exc:
            form_refusal(form, exc)
    if form.errors:
        return render(
            request,
            "volunteers/refusal.html",
            {"message": " ".join(e for errs in form.errors.values() for e in errs), "back": ""},
            status=400,
        )
    messages.success(request, _("已加入队伍。"))
    return redirect("volunteers:team_detail", team_id=team_id)
