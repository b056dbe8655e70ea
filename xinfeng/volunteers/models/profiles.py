"""Volunteer profiles: the real-name volunteer and the numbering counter."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import TimeStampedModel
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import (
    STAR_THRESHOLDS,
    Gender,
    IdType,
    PoliticalStatus,
    RegistrationChannel,
)


class Volunteer(TimeStampedModel):
    """A registered volunteer (real name). Shown by volunteer number, never by ID number."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    number = models.CharField(_("志愿者编号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number_encrypted = models.TextField(_("证件号码（加密）"), blank=True, editable=False)
    id_number_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    home_region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="volunteers"
    )
    service_regions = models.ManyToManyField(
        Region, verbose_name=_("服务区域"), blank=True, related_name="+"
    )
    skills = models.JSONField(_("技能特长"), default=list, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=200, blank=True)
    political_status = models.CharField(
        _("政治面貌"),
        max_length=20,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.MASSES,
    )
    emergency_contact_name = models.CharField(_("紧急联系人"), max_length=50, blank=True)
    emergency_contact_phone = models.CharField(_("紧急联系人电话"), max_length=20, blank=True)
    privacy_notice_version = models.CharField(_("已同意的隐私声明版本"), max_length=20, blank=True)
    privacy_consented_at = models.DateTimeField(null=True, blank=True)
    location_consented_at = models.DateTimeField(_("定位授权时间"), null=True, blank=True)
    guardian_name = models.CharField(_("监护人"), max_length=50, blank=True)
    guardian_consented_at = models.DateTimeField(_("监护人同意时间"), null=True, blank=True)
    guardian_phone = models.CharField(_("监护人电话"), max_length=20, blank=True)
    registration_channel = models.CharField(
        _("登记方式"),
        max_length=10,
        choices=RegistrationChannel.choices,
        default=RegistrationChannel.SELF,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    total_hours = models.DecimalField(
        _("累计时长"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    points_balance = models.IntegerField(_("积分余额"), default=0)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points_balance__gte=0), name="volunteer_points_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"

    @property
    def is_party_member(self) -> bool:
        return self.political_status in (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY)

    def age_on(self, day=None) -> int | None:
        if not self.birth_date:
            return None
        day = day or timezone.localdate()
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def is_minor(self) -> bool:
        age = self.age_on()
        return age is not None and age < 18

    @property
    def star_level(self) -> int:
        """星级: 1 star from 100 hours up to 5 stars from 1,500 hours (0 below 100)."""
        return star_level_for(self.total_hours)


def star_level_for(hours) -> int:
    return sum(1 for threshold in STAR_THRESHOLDS if hours >= threshold)


class NumberSequence(models.Model):
    """A named counter handing out platform numbers (volunteer and certificate numbers).

    Locked with ``select_for_update`` while a block of numbers is taken, so numbers are
    unique and gap-free per key even under concurrent registrations.
    """

    key = models.CharField(max_length=40, unique=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


# Models kept in their own modules (one concern each); imported here so Django sees them.
