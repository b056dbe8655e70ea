"""Pages of the phone flows, each in two steps: the number (a code is sent), then the code
with the rest. The number waits in the session between the steps. Same services as the
API (``accounts.registration``), so the same rules and messages."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.core.errors import DomainError
from xinfeng.core.masking import mask_phone
from xinfeng.core.pages import apply_errors

from . import registration
from .forms import CodeForm, PhoneForm, ResetForm, SignupForm
from .models import CodePurpose

FLOWS: dict[str, dict] = {
    CodePurpose.SIGNUP: {
        "title": gettext_lazy("注册"),
        "intro": gettext_lazy("用手机号注册，即可点单、报名活动、登记志愿者。"),
        "step1": "accounts:signup",
        "step2": "accounts:signup_verify",
        "button": gettext_lazy("注册"),
    },
    CodePurpose.LOGIN: {
        "title": gettext_lazy("验证码登录"),
        "intro": gettext_lazy("输入注册时的手机号，我们会发送登录验证码。"),
        "step1": "accounts:login_code",
        "step2": "accounts:login_code_verify",
        "button": gettext_lazy("登录"),
    },
    CodePurpose.RESET: {
        "title": gettext_lazy("找回密码"),
        "intro": gettext_lazy("输入注册时的手机号，用短信验证码设置新密码。"),
        "step1": "accounts:password_reset",
        "step2": "accounts:password_reset_verify",
        "button": gettext_lazy("设置新密码"),
    },
    CodePurpose.CHANGE_PHONE: {
        "title": gettext_lazy("更换手机号"),
        "intro": gettext_lazy("输入新的手机号，验证码将发送到新号码。"),
        "step1": "accounts:phone_change",
        "step2": "accounts:phone_change_verify",
        "button": gettext_lazy("更换"),
    },
}
SESSION_KEY = "xf_phone_flow"


def _next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    return url if url_has_allowed_host_and_scheme(url, {request.get_host()}) else ""


def _step1(request, purpose: str):
    flow = FLOWS[purpose]
    user = request.user if purpose == CodePurpose.CHANGE_PHONE else None
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = registration.code_request(
                    phone=form.cleaned_data["phone"], purpose=purpose, request=request, user=user
                )
            except DomainError as exc:
                status = apply_errors(form, exc)
            else:
                phone = registration.normalize_phone(form.cleaned_data["phone"])
                request.session[SESSION_KEY] = {"purpose": purpose, "phone": phone}
                messages.info(request, sent.detail)
                target = reverse(flow["step2"])
                nxt = _next(request)
                return redirect(f"{target}?next={nxt}" if nxt else target)
        else:
            status = 400
    context = {"form": form, "flow": flow, "purpose": purpose, "next": _next(request)}
    return render(request, "accounts/phone_step1.html", context, status=status)


def _pending_phone(request, purpose: str) -> str | None:
    pending = request.session.get(SESSION_KEY) or {}
    return pending.get("phone") if pending.get("purpose") == purpose else None


def _step2(request, purpose: str, form_class, act):
    """``act(form, phone)`` runs the service and returns the response to send on success;
    a ``DomainError`` it raises is shown on the form."""
    flow = FLOWS[purpose]
    phone = _pending_phone(request, purpose)
    if phone is None:
        return redirect(flow["step1"])
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                response = act(form, phone)
            except DomainError as exc:
                status = apply_errors(form, exc)
            else:
                request.session.pop(SESSION_KEY, None)
                return response
        else:
            status = 400
    context = {
        "form": form,
        "flow": flow,
        "purpose": purpose,
        "phone_masked": mask_phone(phone),
        "phone": phone,
        "next": _next(request),
    }
    return render(request, "accounts/phone_step2.html", context, status=status)


def signup_view(request):
    if request.user.is_authenticated:
        return redirect(_next(request) or "home")
    return _step1(request, CodePurpose.SIGNUP)


def signup_verify_view(request):
    def act(form, phone):
        user = registration.user_signup(
            phone=phone,
            code=form.cleaned_data["code"],
            display_name=form.cleaned_data["display_name"],
            home_region=form.cleaned_data["home_region"],
            password=form.cleaned_data["password"],
            privacy_accepted=form.cleaned_data["privacy"],
            request=request,
        )
        login(request, user, backend="xinfeng.accounts.backends.PhoneOrUsernameBackend")
        messages.success(request, _("注册成功，欢迎加入！"))
        return redirect(_next(request) or "home")

    return _step2(request, CodePurpose.SIGNUP, SignupForm, act)


def login_code_view(request):
    return _step1(request, CodePurpose.LOGIN)


def login_code_verify_view(request):
    def act(form, phone):
        user = registration.user_login_by_code(
            phone=phone, code=form.cleaned_data["code"], request=request
        )
        login(request, user, backend="xinfeng.accounts.backends.PhoneOrUsernameBackend")
        return redirect(_next(request) or "home")

    return _step2(request, CodePurpose.LOGIN, CodeForm, act)


def password_reset_view(request):
    return _step1(request, CodePurpose.RESET)


def password_reset_verify_view(request):
    def act(form, phone):
        registration.password_reset_by_code(
            phone=phone,
            code=form.cleaned_data["code"],
            new_password=form.cleaned_data["password"],
            request=request,
        )
        messages.success(request, registration.RESET_DONE)
        return redirect("accounts:login")

    return _step2(request, CodePurpose.RESET, ResetForm, act)


@login_required
def phone_change_view(request):
    return _step1(request, CodePurpose.CHANGE_PHONE)


@login_required
def phone_change_verify_view(request):
    def act(form, phone):
        registration.phone_change(
            user=request.user, phone=phone, code=form.cleaned_data["code"], request=request
        )
        messages.success(request, registration.PHONE_CHANGED)
        return redirect("accounts:my_data")

    return _step2(request, CodePurpose.CHANGE_PHONE, CodeForm, act)
