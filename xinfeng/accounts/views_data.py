"""我的数据: the page where a person sees, downloads, corrects and erases their data."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError

from . import personal_data
from .forms import CloseForm, ProfileForm
from .models import OPTIONAL_CONSENTS


def _page(request, *, profile_form=None, close_form=None, status=200):
    user = request.user
    data = personal_data.personal_data(user=user)
    counts = [
        (title, len(data[key])) for key, title, _label, _rows, _fields in personal_data.SOURCES
    ]
    context = {
        "profile_form": profile_form
        or ProfileForm(
            initial={
                "display_name": user.display_name,
                "email": user.email,
                "home_region": user.home_region_id,
            }
        ),
        "close_form": close_form or CloseForm(),
        "consents": personal_data.consents_of(user=user),
        "counts": counts,
    }
    return render(request, "accounts/my_data.html", context, status=status)


@login_required
def my_data_view(request):
    """GET: the page. POST: correct the profile."""
    if request.method != "POST":
        return _page(request)
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _page(request, profile_form=form, status=400)
    try:
        personal_data.profile_update(
            user=request.user,
            display_name=form.cleaned_data["display_name"],
            home_region=form.cleaned_data["home_region"] or request.user.home_region,
            email=form.cleaned_data["email"],
            request=request,
        )
    except DomainError as exc:
        form.add_error(None, str(exc.detail))
        return _page(request, profile_form=form, status=exc.status)
    messages.success(request, personal_data.PROFILE_SAVED)
    return redirect("accounts:my_data")


@require_safe
@login_required
def my_data_export_view(request, fmt: str):
    body, content_type, name = personal_data.personal_data_export(
        user=request.user, fmt=fmt, request=request
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def consent_view(request, kind: str):
    if kind not in OPTIONAL_CONSENTS:
        return render(request, "404.html", status=404)
    given = request.POST.get("given") == "1"
    personal_data.consent_set(user=request.user, kind=kind, given=given, request=request)
    messages.success(request, _("授权已更新。"))
    return redirect("accounts:my_data")


@login_required
@require_POST
def close_view(request):
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _page(request, close_form=form, status=400)
    personal_data.account_close(user=request.user, request=request)
    logout(request)
    messages.success(request, _("账号已注销，您的个人信息已删除或匿名化。"))
    return redirect("home")
