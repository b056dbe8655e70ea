"""Work-plan pages: the list (search, year, pages), a plan with its tasks, a task with its
evidence and history, and the progress of the plans below a region."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError, NotAuthenticated
from xinfeng.core.listing import page_of, search_text
from xinfeng.core.pages import apply_errors

from .. import policy, selectors, services
from ..choices import TaskEventKind, TaskStatus
from ..forms import EvidenceForm, GoalForm, PlanForm, StatusForm, TaskForm, plan_regions
from ..presenters import present_evidence

PER_PAGE = 20
SEARCH_MAX = 50


def _user(request):
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    return request.user


def _year(raw) -> int | None:
    return int(raw) if raw and raw.isdigit() and 2000 <= int(raw) <= 2100 else None


def plan_list(request):
    user = _user(request)
    year = _year(request.GET.get("year"))
    q = search_text(request, max_length=SEARCH_MAX)
    qs = selectors.plans_for(user=user, year=year, q=q or None)
    page = page_of(request, qs.order_by("-year", "region__path", "id"), PER_PAGE)
    mine = list(selectors.my_tasks(user=user).order_by("deadline", "id")[:20])
    form = None
    if plan_regions(user):
        form = PlanForm(user=user, initial={"year": selectors.current_year()})
    if request.method == "POST" and form is not None:
        form = PlanForm(request.POST, user=user)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                plan = services.plan_create(
                    actor=user,
                    region=d["region_id"],
                    year=d["year"],
                    title=d["title"],
                    summary=d["summary"],
                )
            except DomainError as exc:
                status = apply_errors(form, exc)
            else:
                messages.success(request, _("工作方案已出台。"))
                return redirect("workplans:plan", plan.pk)
        return render(
            request,
            "workplans/plan_list.html",
            {"page": page, "q": q, "year": year, "mine": mine, "form": form},
            status=status,
        )
    return render(
        request,
        "workplans/plan_list.html",
        {"page": page, "q": q, "year": year, "mine": mine, "form": form},
    )


def _plan_context(request, plan, *, task_form=None, goal_form=None):
    user = request.user
    status = request.GET.get("status") or ""
    q = search_text(request, max_length=SEARCH_MAX)
    tasks = selectors.tasks_of(plan, status=status or None, q=q or None)
    page = page_of(request, tasks.order_by("deadline", "id"), PER_PAGE)
    may_edit = policy.may_edit_plan(user, plan)
    return {
        "plan": plan,
        "progress": selectors.plan_progress(plan),
        "page": page,
        "status": status,
        "q": q,
        "statuses": TaskStatus.choices,
        "goals": list(plan.goals.all()),
        "may_edit": may_edit,
        "task_form": task_form or (TaskForm(plan=plan) if may_edit else None),
        "goal_form": goal_form or (GoalForm() if may_edit else None),
    }


@require_safe
def plan_detail(request, plan_id: int):
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    return render(request, "workplans/plan_detail.html", _plan_context(request, plan))


@require_POST
def plan_add_task(request, plan_id: int):
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    form = TaskForm(request.POST, plan=plan)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.task_create(
                actor=user,
                plan=plan,
                title=d["title"],
                owner=d["owner_id"],
                deadline=d["deadline"],
                goal=d["goal_id"],
                description=d["description"],
            )
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            messages.success(request, _("任务已添加。"))
            return redirect("workplans:plan", plan.pk)
    elif not policy.may_edit_plan(user, plan):
        status = 403
        form.add_error(None, _("只有本级或上级的管理员可以修改该工作方案。"))
    return render(
        request,
        "workplans/plan_detail.html",
        _plan_context(request, plan, task_form=form),
        status=status,
    )


@require_POST
def plan_add_goal(request, plan_id: int):
    user = _user(request)
    plan = selectors.plan_get(user=user, plan_id=plan_id)
    form = GoalForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.goal_create(actor=user, plan=plan, title=form.cleaned_data["title"])
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            return redirect("workplans:plan", plan.pk)
    return render(
        request,
        "workplans/plan_detail.html",
        _plan_context(request, plan, goal_form=form),
        status=status,
    )


def _task_context(request, task, *, status_form=None, evidence_form=None):
    user = request.user
    may_update = policy.may_update_task(user, task)
    evidence = [present_evidence(e) for e in task.evidence.select_related("task__plan")]
    return {
        "task": task,
        "plan": task.plan,
        "evidence": evidence,
        "events": list(task.events.select_related("actor")),
        "escalated_kind": TaskEventKind.ESCALATED,
        "may_update": may_update,
        "status_form": status_form
        or (StatusForm(initial={"status": task.status}) if may_update else None),
        "evidence_form": evidence_form or (EvidenceForm() if may_update else None),
    }


@require_safe
def task_detail(request, task_id: int):
    user = _user(request)
    task = selectors.task_get(user=user, task_id=task_id)
    return render(request, "workplans/task_detail.html", _task_context(request, task))


@require_POST
def task_status(request, task_id: int):
    user = _user(request)
    task = selectors.task_get(user=user, task_id=task_id)
    form = StatusForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.task_set_status(actor=user, task=task, status=form.cleaned_data["status"])
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            messages.success(request, _("任务状态已更新。"))
            return redirect("workplans:task", task.pk)
    return render(
        request,
        "workplans/task_detail.html",
        _task_context(request, task, status_form=form),
        status=status,
    )


@require_POST
def task_evidence(request, task_id: int):
    user = _user(request)
    task = selectors.task_get(user=user, task_id=task_id)
    form = EvidenceForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.evidence_add(
                actor=user,
                task=task,
                file=d["file"] or None,
                link_kind=d["link_kind"],
                link_id=d["link_id"],
                figure=d["figure"],
                note=d["note"],
            )
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            messages.success(request, _("佐证已添加。"))
            return redirect("workplans:task", task.pk)
    return render(
        request,
        "workplans/task_detail.html",
        _task_context(request, task, evidence_form=form),
        status=status,
    )


@require_safe
def progress(request):
    """The level above sees the progress of every plan below it: a bar per child region
    (its own plan and everything below it), drilling down by region."""
    user = _user(request)
    raw = request.GET.get("region")
    region = selectors.readable_subtree_region(
        user=user, region_id=int(raw) if raw and raw.isdigit() and len(raw) < 19 else None
    )
    year = _year(request.GET.get("year")) or selectors.current_year()
    head, rows = selectors.progress_tree(region=region, year=year)
    years = range(selectors.current_year() + 1, 2018, -1)
    top = selectors.readable_subtree_region(user=user, region_id=None)
    return render(
        request,
        "workplans/progress.html",
        {
            "region": region,
            "year": year,
            "years": years,
            "head": head,
            "rows": rows,
            "up": region.parent_id
            if region.pk != top.pk and region.path.startswith(top.path)
            else None,
        },
    )
