"""Accounts: users, the roles they hold at a region, API tokens, login throttling, phone
verification codes and consents."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import Region

from .choices import Role

phone_validator = RegexValidator(r"^1\d{10}$", _("请输入 11 位手机号码。"))


class User(AbstractUser):
    """A person who signs in: resident, volunteer, staff or leader. Logs in with username
    or mobile phone number."""

    phone = models.CharField(
        _("手机号"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[phone_validator],
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    home_region = models.ForeignKey(
        Region,
        verbose_name=_("居住地"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the person closed the account: the row stays (records point to it) but
    # holds no personal data any more (accounts.personal_data.account_close).
    closed_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    # 长辈模式 (accounts.care): larger type and targets, read aloud, simpler flows.
    care_mode = models.BooleanField(_("长辈模式"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """A role a user holds at a region; it covers that region's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    # For Role.DEPARTMENT only: which department (a code of places.choices.Department,
    # checked by governance, which gives the role its pages).
    department = models.CharField(_("部门"), max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region"], name="unique_role_at_region"
            ),
            models.CheckConstraint(
                condition=models.Q(role="department", department__gt="")
                | (~models.Q(role="department") & models.Q(department="")),
                name="department_code_iff_department_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.region}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=80, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> tuple["ApiToken", str]:
        raw = "xf_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=raw[3:11], key_hash=_hash_token(raw)
        )
        return token, raw

    @classmethod
    def lookup(cls, raw: str) -> "ApiToken | None":
        return (
            cls.objects.select_related("user")
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )


class LoginFailure(models.Model):
    """A failed login, kept for throttling (by identifier and by IP)."""

    identifier = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.identifier} {self.at:%Y-%m-%d %H:%M}"


class ConsentKind(models.TextChoices):
    PRIVACY = "privacy", _("个人信息保护声明")
    LOCATION = "location", _("使用位置信息（定位签到）")
    PHOTOS = "photos", _("在活动照片和报道中出现")


# Consents a person may withdraw without closing the account (PIPL art. 15).
OPTIONAL_CONSENTS = (ConsentKind.LOCATION, ConsentKind.PHOTOS)


class Consent(models.Model):
    """A consent a person gave (to the privacy notice of a version, to location use, to
    photos), and when it was withdrawn. Rows are never deleted while the account lives:
    they are the evidence of what the person agreed to and when."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("同意事项"), max_length=20, choices=ConsentKind.choices)
    version = models.CharField(_("版本"), max_length=20, blank=True)
    given_at = models.DateTimeField(_("同意时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("授权同意")
        verbose_name_plural = _("授权同意")
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.version}"


class CodePurpose(models.TextChoices):
    SIGNUP = "signup", _("注册")
    LOGIN = "login", _("验证码登录")
    RESET = "reset", _("重置密码")
    CHANGE_PHONE = "change_phone", _("更换手机号")


class PhoneCode(models.Model):
    """A verification code sent by SMS. Only a keyed hash of the code is stored, and the
    number itself only as a keyed hash (``phone_hash``): the table says nothing readable
    about who asked. A row is written for every request, also when nothing is sent (an
    unknown number for login, a taken number for sign-up), so throttling and answers are
    the same either way; such rows carry an unusable hash."""

    purpose = models.CharField(max_length=20, choices=CodePurpose.choices)
    phone_hash = models.CharField(max_length=64)
    # change_phone: the signed-in person who asked (a code for a new number is theirs only).
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code_hash = models.CharField(max_length=80)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [
            models.Index(fields=["phone_hash", "created_at"]),
            models.Index(fields=["ip", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class SmsQuota(models.Model):
    """One row per mobile number (keyed hash), locked while deciding whether another code
    may be sent to it, so two processes cannot both pass the per-number limits."""

    phone_hash = models.CharField(max_length=64, unique=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.phone_hash[:12]


class DevSms(models.Model):
    """A text message the development SMS backend kept instead of sending it (no gateway
    configured). System administrators read it in the admin; ``make run`` users find their
    sign-up codes here and in the log."""

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    text = models.CharField(_("短信内容"), max_length=500)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("开发短信")
        verbose_name_plural = _("开发短信")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.phone} {self.text[:20]}"
