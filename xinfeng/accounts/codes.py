"""Verification codes sent by SMS: issue (throttled) and verify (single use, 5 tries).

The one place where codes are made and checked; the sign-up, sign-in, password-reset and
phone-change flows of pages and API all call ``phone_code_send`` and ``phone_code_verify``.

- A code is 6 digits, valid ``XINFENG_SMS_CODE_TTL`` seconds (5 minutes), single use,
  at most ``XINFENG_SMS_CODE_MAX_TRIES`` (5) wrong tries. Only an HMAC of it (bound to the
  number and purpose, keyed by the server secret) is stored; numbers are stored as keyed
  hashes too.
- Sending is throttled per number (1 per ``XINFENG_SMS_INTERVAL`` s, ``XINFENG_SMS_PER_DAY``
  per 24 h) under a row lock on the number's ``SmsQuota`` row, so the limits hold across
  processes; and per client address (``XINFENG_SMS_PER_IP_HOUR``).
- The answer never says whether a number has an account: a request for a number that may
  not receive a code (unknown for sign-in, taken for sign-up) writes the same row with an
  unusable hash, counts against the same limits and gets the same answer.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfeng.core.audit import client_ip
from xinfeng.core.crypto import keyed_hash
from xinfeng.core.errors import Throttled, ValidationFailed

from .models import CodePurpose, PhoneCode, SmsQuota, User
from .sms import send_sms

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Messages shared with tests (lazy: they follow the request's language).
BAD_PHONE = gettext_lazy("请输入正确的 11 位中国大陆手机号码。")
CODE_SENT = gettext_lazy("验证码已发送，5 分钟内有效。如未收到，请核对号码后稍后重试。")
CODE_INVALID = gettext_lazy("验证码错误，请检查后重新输入。")
CODE_EXPIRED = gettext_lazy("验证码已过期，请重新获取。")
CODE_USED = gettext_lazy("验证码已使用，请重新获取。")
CODE_TOO_MANY_TRIES = gettext_lazy("验证码错误次数过多，请重新获取。")

UNUSABLE = "!"  # prefix of a code hash that no code matches


def normalize_phone(raw: str | None) -> str:
    """A mainland mobile number as 11 digits, or ``ValidationFailed`` (code ``invalid_phone``).
    Spaces, dashes and a +86/86 prefix are accepted, as people type them."""
    phone = re.sub(r"[\s\-()]", "", str(raw or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not MOBILE_RE.fullmatch(phone):
        raise ValidationFailed(BAD_PHONE, code="invalid_phone", fields={"phone": BAD_PHONE})
    return phone


def phone_hash(phone: str) -> str:
    return keyed_hash("phone:" + phone)


def _code_hash(*, purpose: str, phone: str, code: str) -> str:
    return salted_hmac(
        "xinfeng.accounts.phone_code", f"{purpose}:{phone}:{code}", algorithm="sha256"
    ).hexdigest()


def _ttl() -> int:
    return int(getattr(settings, "XINFENG_SMS_CODE_TTL", 300))


def _max_tries() -> int:
    return int(getattr(settings, "XINFENG_SMS_CODE_MAX_TRIES", 5))


def _throttle_ip(ip: str | None, now) -> None:
    limit = int(getattr(settings, "XINFENG_SMS_PER_IP_HOUR", 20))
    if ip and (
        PhoneCode.objects.filter(ip=ip, created_at__gte=now - timedelta(hours=1)).count() >= limit
    ):
        raise Throttled(_("本网络获取验证码过于频繁，请稍后再试。"), code="throttled")


def _lock_quota(hashed: str) -> SmsQuota:
    """The number's quota row, created if needed, locked until the transaction ends."""
    try:
        with transaction.atomic():
            SmsQuota.objects.get_or_create(phone_hash=hashed)
    except IntegrityError:  # created by a concurrent request: it exists now
        pass
    return SmsQuota.objects.select_for_update().get(phone_hash=hashed)


def _throttle_phone(quota: SmsQuota, now) -> None:
    interval = int(getattr(settings, "XINFENG_SMS_INTERVAL", 60))
    per_day = int(getattr(settings, "XINFENG_SMS_PER_DAY", 10))
    if quota.last_sent_at and now - quota.last_sent_at < timedelta(seconds=interval):
        wait = interval - int((now - quota.last_sent_at).total_seconds())
        raise Throttled(
            _("获取验证码过于频繁，请 %(s)s 秒后再试。") % {"s": max(wait, 1)}, code="throttled"
        )
    sent_today = PhoneCode.objects.filter(
        phone_hash=quota.phone_hash, created_at__gte=now - timedelta(days=1)
    ).count()
    if sent_today >= per_day:
        raise Throttled(_("该号码今天获取验证码的次数已达上限，请明天再试。"), code="throttled")


SMS_TEXT = {
    CodePurpose.SIGNUP: gettext_lazy(
        "【新风】您的注册验证码是 %(code)s，5 分钟内有效。请勿告诉他人。"
    ),
    CodePurpose.LOGIN: gettext_lazy(
        "【新风】您的登录验证码是 %(code)s，5 分钟内有效。请勿告诉他人。"
    ),
    CodePurpose.RESET: gettext_lazy("【新风】您正在重置密码，验证码是 %(code)s，5 分钟内有效。"),
    CodePurpose.CHANGE_PHONE: gettext_lazy(
        "【新风】您正在把账号绑定到本手机号，验证码是 %(code)s，5 分钟内有效。"
    ),
}
ALREADY_REGISTERED_TEXT = gettext_lazy(
    "【新风】本手机号已注册。请直接用验证码登录；忘记密码可用验证码重置。"
)


def may_receive_code(*, purpose: str, phone: str, user: User | None) -> bool:
    """Whether a real code goes to ``phone`` for ``purpose``: sign-up and phone change need a
    number no account holds; sign-in and reset need an active account holding it."""
    holder = User.objects.filter(phone=phone).only("id", "is_active").first()
    if purpose in (CodePurpose.SIGNUP, CodePurpose.CHANGE_PHONE):
        return holder is None
    return holder is not None and holder.is_active


@dataclass(frozen=True)
class CodeSent:
    detail: str
    expires_in: int
    resend_in: int


def phone_code_send(
    *, phone: str, purpose: str, request=None, user: User | None = None
) -> CodeSent:
    """Send a code for ``purpose`` to ``phone`` (already normalised) if the number may
    receive one; in every case write the row, apply the limits and give the same answer.
    ``user`` is the signed-in person for ``change_phone``. Locks the number's quota row.
    Raises ``Throttled`` (429)."""
    if purpose not in CodePurpose.values:
        raise ValidationFailed(_("验证码用途无效。"), code="invalid_purpose")
    now = timezone.now()
    ip = client_ip(request)
    hashed = phone_hash(phone)
    with transaction.atomic():
        _throttle_ip(ip, now)
        quota = _lock_quota(hashed)
        _throttle_phone(quota, now)
        real = may_receive_code(purpose=purpose, phone=phone, user=user)
        code = f"{secrets.randbelow(10**6):06d}"
        PhoneCode.objects.create(
            purpose=purpose,
            phone_hash=hashed,
            user=user if purpose == CodePurpose.CHANGE_PHONE else None,
            code_hash=(
                _code_hash(purpose=purpose, phone=phone, code=code)
                if real
                else UNUSABLE + secrets.token_hex(16)
            ),
            ip=ip,
            created_at=now,
            expires_at=now + timedelta(seconds=_ttl()),
        )
        quota.last_sent_at = now
        quota.save(update_fields=["last_sent_at"])
    # Sent after the row and the quota are committed, outside the lock. A number that gets
    # no code goes through the same call (see accounts.sms: same work, same time).
    message = None
    if real:
        text = str(SMS_TEXT[CodePurpose(purpose)]) % {"code": code}
        message = {"phone": phone, "template": "code", "params": {"code": code}, "text": text}
    elif purpose == CodePurpose.SIGNUP:
        # The owner of a registered number learns how to get in; the page says nothing.
        text = str(ALREADY_REGISTERED_TEXT)
        message = {"phone": phone, "template": "registered", "params": {}, "text": text}
    send_sms(message)
    interval = int(getattr(settings, "XINFENG_SMS_INTERVAL", 60))
    return CodeSent(detail=str(CODE_SENT), expires_in=_ttl(), resend_in=interval)


def phone_code_verify(*, phone: str, purpose: str, code: str, user: User | None = None) -> None:
    """Accept ``code`` for (``phone``, ``purpose``) once, or raise ``ValidationFailed`` with
    code ``code_invalid`` (wrong, or none sent), ``code_expired``, ``code_used`` or
    ``code_too_many_tries``. Checks the latest code sent for the pair under a row lock, so of
    concurrent verifications of one code exactly one succeeds; a wrong try is counted even
    though the call fails (the count is committed before the error is raised)."""
    code = re.sub(r"\s", "", str(code or ""))
    outcome = _verify_locked(phone=phone, purpose=purpose, code=code, user=user)
    if outcome:
        message = {
            "code_invalid": CODE_INVALID,
            "code_expired": CODE_EXPIRED,
            "code_used": CODE_USED,
            "code_too_many_tries": CODE_TOO_MANY_TRIES,
        }[outcome]
        raise ValidationFailed(message, code=outcome, fields={"code": message})


@transaction.atomic
def _verify_locked(*, phone: str, purpose: str, code: str, user: User | None) -> str:
    """'' on success, else the error code. Its own transaction: a counted wrong try stays
    counted whatever the caller does next."""
    qs = PhoneCode.objects.filter(phone_hash=phone_hash(phone), purpose=purpose)
    if purpose == CodePurpose.CHANGE_PHONE:
        qs = qs.filter(user=user)
    row = qs.order_by("-created_at", "-id").select_for_update().first()
    if row is None:
        return "code_invalid"
    now = timezone.now()
    if row.used_at is not None:
        return "code_used"
    if row.attempts >= _max_tries():
        return "code_too_many_tries"
    if now >= row.expires_at:
        return "code_expired"
    if not re.fullmatch(r"\d{6}", code) or not constant_time_compare(
        row.code_hash, _code_hash(purpose=purpose, phone=phone, code=code)
    ):
        row.attempts += 1
        row.save(update_fields=["attempts"])
        return "code_invalid"
    row.used_at = now
    row.save(update_fields=["used_at"])
    return ""
