"""Sign-up by phone and code, sign-in by code, password reset by code, phone change.

Pages (``views_phone``) and the API (``api_phone``) call these; the code rules live in
``accounts.codes``. Every function validates its other input *before* checking the code,
so a typo in a password does not burn a code.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.core.audit import audit_record
from xinfeng.core.errors import Conflict, ValidationFailed
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region

from .choices import Role
from .codes import CODE_INVALID, normalize_phone, phone_code_send, phone_code_verify
from .models import CodePurpose, Consent, ConsentKind, LoginFailure, RoleAssignment, User

HOME_LEVELS = (RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE)
PRIVACY_REQUIRED = gettext_lazy("请阅读并同意《个人信息保护声明》。")
NAME_REQUIRED = gettext_lazy("请填写姓名或称呼（最多 50 个字）。")
HOME_REQUIRED = gettext_lazy("请选择您居住的村（社区）。")
PHONE_TAKEN = gettext_lazy("该手机号已绑定其他账号。")
RESET_DONE = gettext_lazy("密码已重置，请用新密码登录。")
PHONE_CHANGED = gettext_lazy("手机号已更换。")


def code_request(*, phone: str, purpose: str, request=None, user: User | None = None):
    """Normalise the number and send a code (see ``codes.phone_code_send``)."""
    if purpose == CodePurpose.CHANGE_PHONE and user is None:
        raise ValidationFailed(_("更换手机号需要先登录。"), code="invalid_purpose")
    return phone_code_send(
        phone=normalize_phone(phone), purpose=purpose, request=request, user=user
    )


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise ValidationFailed(message, code="weak_password", fields={"password": message}) from exc


def check_profile(*, display_name: str, home_region: Region | None, home: bool = True) -> str:
    """The cleaned name; with ``home``, also that ``home_region`` is a village."""
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 50 or "\x00" in display_name:
        raise ValidationFailed(
            NAME_REQUIRED, code="invalid_name", fields={"display_name": NAME_REQUIRED}
        )
    if home and (home_region is None or home_region.level not in HOME_LEVELS):
        raise ValidationFailed(
            HOME_REQUIRED, code="invalid_region", fields={"home_region": HOME_REQUIRED}
        )
    return display_name


def user_signup(
    *,
    phone: str,
    code: str,
    display_name: str,
    home_region: Region | None,
    password: str = "",
    privacy_accepted: bool,
    request=None,
) -> User:
    """Create a resident's account for a number proven by a sign-up code. Records the
    privacy-notice consent with its version and the resident role at the home village.
    Raises ``ValidationFailed`` (bad input, code errors) or ``Conflict`` (the number was
    taken meanwhile)."""
    phone = normalize_phone(phone)
    display_name = check_profile(display_name=display_name, home_region=home_region)
    assert home_region is not None  # check_profile refused a missing home village
    if not privacy_accepted:
        raise ValidationFailed(
            PRIVACY_REQUIRED, code="privacy_consent_required", fields={"privacy": PRIVACY_REQUIRED}
        )
    user = User(
        username="u" + secrets.token_hex(6),
        phone=phone,
        display_name=display_name,
        home_region=home_region,
    )
    if password:
        _check_password(password, user)
    phone_code_verify(phone=phone, purpose=CodePurpose.SIGNUP, code=code)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()  # signs in by code until a password is set
    try:
        with transaction.atomic():
            user.save()
            Consent.objects.create(
                user=user,
                kind=ConsentKind.PRIVACY,
                version=settings.XINFENG_PRIVACY_NOTICE_VERSION,
                given_at=timezone.now(),
            )
            RoleAssignment.objects.create(user=user, role=Role.RESIDENT, region=home_region)
            audit_record(action="user_signup", actor=user, obj=user, request=request)
    except IntegrityError as exc:
        raise Conflict(PHONE_TAKEN, code="phone_taken") from exc
    return user


def user_login_by_code(*, phone: str, code: str, request=None) -> User:
    """The active account holding ``phone``, once a sign-in code for it is accepted."""
    phone = normalize_phone(phone)
    phone_code_verify(phone=phone, purpose=CodePurpose.LOGIN, code=code)
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:  # closed between sending and now
        raise ValidationFailed(CODE_INVALID, code="code_invalid")
    LoginFailure.objects.filter(identifier=phone).delete()
    audit_record(action="login_by_code", actor=user, obj=user, request=request)
    return user


def password_reset_by_code(*, phone: str, code: str, new_password: str, request=None) -> User:
    """Set a new password for the account holding ``phone`` once a reset code is accepted.
    The password is checked before the code, the same way for every number."""
    phone = normalize_phone(phone)
    holder = User.objects.filter(phone=phone, is_active=True).first()
    if not new_password:
        raise ValidationFailed(
            _("请输入新密码。"), code="weak_password", fields={"password": _("请输入新密码。")}
        )
    # Checked against the number only, the same for every number: a check against the
    # holder's name would answer differently for a registered number.
    _check_password(new_password, User(phone=phone))
    phone_code_verify(phone=phone, purpose=CodePurpose.RESET, code=code)
    if holder is None:
        raise ValidationFailed(CODE_INVALID, code="code_invalid")
    holder.set_password(new_password)
    holder.save(update_fields=["password"])
    LoginFailure.objects.filter(identifier__in=[phone, holder.username.lower()]).delete()
    audit_record(action="password_reset_by_code", actor=holder, obj=holder, request=request)
    return holder


# Sent inside the transaction of a proven phone change; ``user``, ``phone``.
phone_changed = Signal()


def phone_change(*, user: User, phone: str, code: str, request=None) -> User:
    """Bind ``user`` to a new number proven by a code sent to it at ``user``'s request."""
    phone = normalize_phone(phone)
    if phone == user.phone:
        raise ValidationFailed(
            _("新号码与当前号码相同。"),
            code="same_phone",
            fields={"phone": _("新号码与当前号码相同。")},
        )
    phone_code_verify(phone=phone, purpose=CodePurpose.CHANGE_PHONE, code=code, user=user)
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            if User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
                raise Conflict(PHONE_TAKEN, code="phone_taken")
            locked.phone = phone
            locked.save(update_fields=["phone"])
            audit_record(action="phone_changed", actor=user, obj=user, request=request)
            # Higher apps keep their copies of the number (a volunteer's phone) in step.
            phone_changed.send(sender=User, user=locked, phone=phone)
    except IntegrityError as exc:
        raise Conflict(PHONE_TAKEN, code="phone_taken") from exc
    user.phone = phone
    return user
