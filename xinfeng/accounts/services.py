"""Account writes: login with throttling, password change, API tokens, role grants."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.core.audit import audit_record, client_ip
from xinfeng.core.errors import NotFound, Throttled, ValidationFailed
from xinfeng.regions.models import Region

from .models import ApiToken, LoginFailure, RoleAssignment, User

# Lazy: the message is shared with tests and must follow the request's language.
LOGIN_FAILED = gettext_lazy("用户名/手机号或密码错误。")


def login_is_throttled(*, identifier: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    by_identifier = recent.filter(identifier=identifier.strip().lower()).count()
    by_ip = recent.filter(ip=ip).count() if ip else 0
    limit = settings.LOGIN_FAILURE_LIMIT
    # An IP gets more room than one account: several people may share a village's network.
    return by_identifier >= limit or by_ip >= limit * 4


def user_login_check(*, request, identifier: str, password: str) -> User:
    """Return the user for these credentials or raise. Throttled after repeated failures
    per identifier and per IP; failures are recorded and audited."""
    ip = client_ip(request)
    identifier = (identifier or "").strip()
    if login_is_throttled(identifier=identifier, ip=ip):
        raise Throttled(_("登录失败次数过多，请 15 分钟后再试。"))
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        LoginFailure.objects.create(identifier=identifier.lower(), ip=ip)
        audit_record(action="login_failed", detail={"identifier": identifier[:40]}, request=request)
        raise ValidationFailed(LOGIN_FAILED, code="login_failed")
    LoginFailure.objects.filter(Q(identifier=identifier.lower())).delete()
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token; return it and its raw value (shown once, never stored)."""
    name = (name or "").strip()
    if len(name) > 80:
        raise ValidationFailed(_("令牌名称最多 80 个字符。"), code="invalid_name")
    if "\x00" in name:
        raise ValidationFailed(_("令牌名称含有不允许的字符。"), code="invalid_name")
    token, raw = ApiToken.issue(user=user, name=name)
    audit_record(action="api_token_created", actor=user, obj=user, detail={"name": name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent). Locks the token row."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != user.pk:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="api_token_revoked", actor=user, obj=user, detail={"prefix": token.prefix}
        )
    return token


@transaction.atomic
def role_grant(*, user: User, role: str, region: Region) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
    user.__dict__.pop("_xf_roles", None)
    return assignment


@transaction.atomic
def role_revoke(*, user: User, role: str, region: Region) -> bool:
    """End ``user``'s ``role`` at exactly ``region`` (roles have no end date: the row goes).
    Returns whether there was one."""
    deleted, _rows = RoleAssignment.objects.filter(user=user, role=role, region=region).delete()
    user.__dict__.pop("_xf_roles", None)
    return bool(deleted)
