"""Pages of the project menu: browse and order (public), declare and approve (staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.accounts.scope import can_manage, is_staff_anywhere
from xinfeng.core.errors import DomainError, NotFound
from xinfeng.core.pages import apply_errors
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.pickers import staff_sites

from . import selectors, services
from .choices import ProjectStatus
from .forms import ProjectForm


@require_safe
def menu(request):
    """The menu residents order from, by category; staff may filter by status too."""
    category = request.GET.get("category") or None
    if category not in ServiceCategory.values:
        category = None
    status = request.GET.get("status") or None
    if status not in ProjectStatus.values:
        status = None
    q = (request.GET.get("q") or "").strip()[:50]
    qs = selectors.project_list(
        user=request.user, category=category, status=status or None, q=q or None
    )
    if status is None:
        qs = qs.filter(status=ProjectStatus.ACTIVE)
    qs = qs.order_by("-is_provincial_demo", "name", "id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    staff = is_staff_anywhere(request.user)
    return render(
        request,
        "projects/menu.html",
        {
            "page": page,
            "category": category,
            "status": status,
            "q": q,
            "categories": ServiceCategory.choices,
            "statuses": ProjectStatus.choices,
            "staff": staff,
        },
    )


@require_safe
def detail(request, project_id: int):
    project = selectors.project_get(user=request.user, project_id=project_id)
    user = request.user
    ctx = {
        "project": project,
        "teams": project.teams.filter(is_active=True).order_by("name"),
        "areas": project.areas.order_by("path"),
        "can_approve": services.can_approve(user, project),
        "can_manage": user.is_authenticated and can_manage(user, project.site.region),
    }
    return render(request, "projects/detail.html", ctx)


@login_required
def declare(request):
    sites = staff_sites(request.user)
    if not sites.exists():
        return render(request, "404.html", status=404)
    form = ProjectForm(request.POST or None, sites=sites)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        site = data.pop("site")
        try:
            project = services.project_declare(actor=request.user, site=site, **data)
        except DomainError as exc:
            status = apply_errors(form, exc)
        else:
            messages.success(request, _("项目已申报，等待上级审核。"))
            return redirect("projects:detail", project.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "projects/form.html", {"form": form}, status=status)


@require_safe
@login_required
def approvals(request):
    """Declared projects of the sites below the user, waiting for approval."""
    qs = selectors.pending_approval(user=request.user).order_by("created_at", "id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "projects/approvals.html", {"page": page})


MOVES = {
    "approve": services.project_approve,
    "activate": services.project_activate,
    "retire": services.project_retire,
}


@login_required
@require_POST
def act(request, project_id: int, action: str):
    project = selectors.project_get(user=request.user, project_id=project_id)
    if action not in MOVES and action != "demo":
        raise NotFound()
    try:
        if action == "demo":
            services.project_set_demo(
                actor=request.user, project=project, value=request.POST.get("value") == "1"
            )
        else:
            MOVES[action](actor=request.user, project=project)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("操作成功。"))
    return redirect("projects:detail", project_id)
