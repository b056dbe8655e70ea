"""工作领导小组: the groups of the reader's scope (with a form to set one up), a group
with its members and meetings, and the forms to add members, record meetings and turn a
decision into a work-plan task."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import scope_paths
from xinfeng.core.errors import DomainError, NotFound
from xinfeng.core.listing import page_of, search_text
from xinfeng.core.pages import apply_errors
from xinfeng.regions.models import Region

from .. import forms as f
from .. import policy, selectors
from ..models import GroupMember
from ..services import groups as svc

PAGE_SIZE = 30


def _region_choices(user) -> list[tuple[int, str]]:
    """The levels the user may set up a group for: the regions of their staff roles and
    the level right below each (a township's villages) — one level, never a whole tree."""
    paths = scope_paths(user, STAFF_ROLES)
    if paths is None:
        tops = list(Region.objects.filter(parent__isnull=True).order_by("path")[:5])
    else:
        tops = list(Region.objects.filter(path__in=paths).order_by("path"))
    children = Region.objects.filter(parent__in=tops).order_by("path")[:300]
    return [(r.pk, r.display_name) for r in [*tops, *children]]


@require_safe
@login_required
def group_list(request, form=None, status=200):
    q = search_text(request)
    page = page_of(request, selectors.group_list(user=request.user, q=q), PAGE_SIZE)
    choices = _region_choices(request.user)
    return render(
        request,
        "governance/group_list.html",
        {
            "page": page,
            "q": q,
            "form": (form or f.GroupForm(region_choices=choices)) if choices else None,
        },
        status=status,
    )


@login_required
@require_POST
def group_create(request):
    choices = _region_choices(request.user)
    form = f.GroupForm(request.POST, region_choices=choices)
    if not form.is_valid():
        return group_list(request, form=form, status=400)
    d = form.cleaned_data
    try:
        g = svc.group_create(
            actor=request.user,
            region=Region.objects.get(pk=d["region"]),
            name=d["name"],
            established_on=d["established_on"],
            duties=d["duties"],
        )
    except DomainError as exc:
        return group_list(request, form=form, status=apply_errors(form, exc))
    return redirect("governance:group", group_id=g.pk)


@login_required
def group_detail(request, group_id: int, forms=None, status=200):
    g = selectors.group_get(user=request.user, group_id=group_id)
    may = policy.may_keep_group(request.user, g.region)
    forms = forms or {}
    meetings = list(selectors.meetings_of(g))
    if may:
        # One form per open decision, with its own ids; the refused one keeps its input.
        for m in meetings:
            for d in m.decisions.all():
                if d.pk == forms.get("task_decision"):
                    d.task_form = forms["task"]
                else:
                    d.task_form = f.TaskForm(auto_id=f"id_d{d.pk}_%s")
    ctx = {
        "group": g,
        "members": selectors.members_of(g),
        "meetings": meetings,
        "may_keep": may,
        "task_decision": forms.get("task_decision"),
    }
    if may:
        ctx |= {
            "member_form": forms.get("member") or f.MemberForm(),
            "meeting_form": forms.get("meeting") or f.MeetingForm(),
        }
    return render(request, "governance/group_detail.html", ctx, status=status)


def _refused(request, group_id, key, form, exc, **extra):
    if isinstance(exc, NotFound):
        raise exc
    status = apply_errors(form, exc)
    return group_detail(request, group_id, forms={key: form, **extra}, status=status)


@login_required
@require_POST
def member_create(request, group_id: int):
    g = selectors.group_get(user=request.user, group_id=group_id)
    form = f.MemberForm(request.POST)
    if not form.is_valid():
        return group_detail(request, group_id, forms={"member": form}, status=400)
    d = form.cleaned_data
    try:
        svc.member_add(
            actor=request.user,
            group=g,
            name=d["name"],
            unit=d["unit"],
            post=d["post"],
            role=d["role"],
            department=d["department"],
            user=d["user"],
        )
    except DomainError as exc:
        return _refused(request, group_id, "member", form, exc)
    messages.success(request, _("已添加成员。"))
    return redirect("governance:group", group_id=g.pk)


@login_required
@require_POST
def member_remove(request, member_id: int):
    member = GroupMember.objects.filter(pk=member_id).select_related("group__region").first()
    if member is None:
        raise NotFound()
    g = selectors.group_get(user=request.user, group_id=member.group_id)
    svc.member_remove(actor=request.user, member=member)
    messages.success(request, _("已移除成员。"))
    return redirect("governance:group", group_id=g.pk)


@login_required
@require_POST
def meeting_create(request, group_id: int):
    g = selectors.group_get(user=request.user, group_id=group_id)
    form = f.MeetingForm(request.POST)
    if not form.is_valid():
        return group_detail(request, group_id, forms={"meeting": form}, status=400)
    d = form.cleaned_data
    try:
        svc.meeting_record(
            actor=request.user,
            group=g,
            held_on=d["held_on"],
            title=d["title"],
            minutes=d["minutes"],
            decisions=d["decisions"],
        )
    except DomainError as exc:
        return _refused(request, group_id, "meeting", form, exc)
    messages.success(request, _("已记录会议。"))
    return redirect("governance:group", group_id=g.pk)


@login_required
@require_POST
def decision_task(request, decision_id: int):
    decision = selectors.decision_get(user=request.user, decision_id=decision_id)
    group_id = decision.meeting.group_id
    form = f.TaskForm(request.POST, auto_id=f"id_d{decision.pk}_%s")
    if not form.is_valid():
        return group_detail(
            request, group_id, forms={"task": form, "task_decision": decision.pk}, status=400
        )
    d = form.cleaned_data
    try:
        svc.decision_to_task(
            actor=request.user,
            decision=decision,
            owner=d["owner"],
            deadline=d["deadline"],
            title=d["title"],
        )
    except DomainError as exc:
        return _refused(request, group_id, "task", form, exc, task_decision=decision.pk)
    messages.success(request, _("已转为工作方案任务。"))
    return redirect("governance:group", group_id=group_id)
