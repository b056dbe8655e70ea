"""Indicator scheme pages: the list (with a form to start one) and a scheme's tree with
the forms to add nodes, publish, copy to a new version, export and import Excel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError
from xinfeng.core.pages import apply_errors
from xinfeng.core.spreadsheet import XLSX_CONTENT_TYPE

from .. import forms as f
from .. import policy, selectors
from ..services import schemes as svc


@require_safe
@login_required
def scheme_list(request, form=None, status=200):
    region = selectors.default_region(request.user)
    return render(
        request,
        "assessment/scheme_list.html",
        {
            "schemes": selectors.schemes_for(request.user)[:100],
            "region": region,
            "may_create": policy.may_record(request.user, region),
            "form": form or f.SchemeForm(initial={"year": timezone.localdate().year}),
        },
        status=status,
    )


@login_required
@require_POST
def scheme_create(request):
    region = selectors.default_region(request.user)
    form = f.SchemeForm(request.POST)
    if not form.is_valid():
        return scheme_list(request, form=form, status=400)
    try:
        s = svc.scheme_create(actor=request.user, region=region, **form.cleaned_data)
    except DomainError as exc:
        return scheme_list(request, form=form, status=apply_errors(form, exc))
    return redirect("assessment:scheme", scheme_id=s.pk)


@login_required
def scheme_detail(request, scheme_id: int, form=None, status=200):
    s = selectors.scheme(request.user, scheme_id)
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": s,
            "nodes": selectors.scheme_tree(s),
            "total": svc.total_points(s),
            "may_edit": policy.may_edit_scheme(request.user, s) and s.published_at is None,
            "may_copy": policy.may_edit_scheme(request.user, s),
            "form": form or f.NodeForm(),
            "import_form": f.ImportForm(),
        },
        status=status,
    )


@login_required
@require_POST
def node_add(request, scheme_id: int):
    s = selectors.scheme(request.user, scheme_id)
    form = f.NodeForm(request.POST)
    if not form.is_valid():
        return scheme_detail(request, scheme_id, form=form, status=400)
    try:
        svc.node_add(actor=request.user, scheme=s, **form.cleaned_data)
    except DomainError as exc:
        return scheme_detail(request, scheme_id, form=form, status=apply_errors(form, exc))
    return redirect("assessment:scheme", scheme_id=s.pk)


@login_required
@require_POST
def scheme_action(request, scheme_id: int, action: str):
    s = selectors.scheme(request.user, scheme_id)
    if action == "publish":
        svc.scheme_publish(actor=request.user, scheme=s)
        messages.success(request, _("已发布。"))
    elif action == "copy":
        s = svc.scheme_new_version(actor=request.user, scheme=s)
        messages.success(request, _("已生成新版本。"))
    elif action == "import":
        form = f.ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return scheme_detail(request, scheme_id, status=400)
        n = svc.scheme_import(
            actor=request.user,
            scheme=s,
            content=form.cleaned_data["file"].read(svc.MAX_IMPORT_BYTES + 1),
        )
        messages.success(request, _("已导入 %(n)d 行。") % {"n": n})
    else:
        return render(request, "404.html", status=404)
    return redirect("assessment:scheme", scheme_id=s.pk)


@require_safe
@login_required
def scheme_export(request, scheme_id: int):
    s = selectors.scheme(request.user, scheme_id)
    response = HttpResponse(svc.scheme_xlsx(s), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="scheme-{s.pk}.xlsx"'
    return response
