"""Account writes: login with throttling, password change, API tokens, role grants."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.audit import audit_record, client_ip
from xinfeng.core.errors import Throttled, ValidationFailed
from xinfeng.places.models import Region

from .models import ApiToken, LoginFailure, RoleAssignment, User

LOGIN_FAILED = _("用户名/手机号或密码错误。")


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
def api_token_create(*, user: User, name: str = "") -> str:
    """Issue a token and return its raw value (shown once, never stored)."""
    _token, raw = ApiToken.issue(user=user, name=name)
    audit_record(action="api_token_created", actor=user, obj=user, detail={"name": name})
    return raw


@transaction.atomic
def role_grant(*, user: User, role: str, region: Region) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
    user.__dict__.pop("_xf_roles", None)
    return assignment
