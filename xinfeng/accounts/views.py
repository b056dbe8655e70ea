from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfeng.core.errors import DomainError

from . import selectors
from .forms import LoginForm, TokenForm
from .scope import roles_of
from .services import api_token_create, api_token_revoke, user_login_check


def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = user_login_check(
                request=request,
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
            status = exc.status
        else:
            login(request, user)
            return redirect(next_url or "home")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("您已退出登录。"))
    return redirect("home")


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("accounts:me")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@require_safe
@login_required
def me_view(request):
    assignments = request.user.role_assignments.select_related("region").order_by("role")
    return render(
        request, "accounts/me.html", {"assignments": assignments, "roles": roles_of(request.user)}
    )


@login_required
def tokens_view(request):
    """My API tokens: list, create (the token is shown once, on this response), revoke."""
    form = TokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = api_token_create(user=request.user, name=form.cleaned_data["name"])
            except DomainError as exc:
                form.add_error("name", str(exc.detail))
                status = exc.status
            else:
                form = TokenForm()
                status = 201
        else:
            status = 400
    context = {
        "form": form,
        "tokens": selectors.api_tokens_of(user=request.user),
        "created_token": created[1] if created else None,
        "created_name": created[0].name if created else None,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    try:
        token = selectors.api_token_get(user=request.user, token_id=token_id)
    except DomainError:
        return render(request, "404.html", status=404)
    api_token_revoke(user=request.user, token=token)
    messages.success(request, _("令牌 %(prefix)s… 已吊销。") % {"prefix": token.prefix})
    return redirect("accounts:tokens")
