"""Volunteers, teams (1+7+N), memberships, service hours and the points ledger.

The core of these models is a contract other apps rely on (orders, activities, emergency,
insights): ``Volunteer``, ``Team``, ``TeamMembership``, ``ServiceRecord``, ``PointsEntry``
and ``services.service_record_create``. Extend them; do not rename.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import TimeStampedModel
from xinfeng.places.models import Region, Site

from .choices import (
    STAR_THRESHOLDS,
    Gender,
    IdType,
    MembershipRole,
    MembershipStatus,
    PointsKind,
    PoliticalStatus,
    RegistrationChannel,
    ServiceSource,
    TeamType,
    Verification,
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


class Team(TimeStampedModel):
    """A volunteer team in the 1+7+N system: the general team, specialised teams for the
    seven fields, mobile teams, and department, village and social-organisation teams."""

    name = models.CharField(_("队伍名称"), max_length=120)
    team_type = models.CharField(_("队伍类型"), max_length=20, choices=TeamType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级队伍"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    home_site = models.ForeignKey(
        Site, verbose_name=_("所属阵地"), on_delete=models.PROTECT, related_name="teams"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="teams",
        help_text=_("默认取所属阵地的区划；用于权限范围。"),
    )
    service_categories = models.JSONField(_("服务类别"), default=list, blank=True)
    description = models.TextField(_("简介"), blank=True)
    capacity = models.PositiveIntegerField(
        _("同时承接单数"), default=3, validators=[MinValueValidator(1)]
    )
    standby_24h = models.BooleanField(_("24 小时待命"), default=False)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """A volunteer's membership of a team. Leaving keeps the row (status ``left``)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("角色"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(_("申请说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("队伍成员")
        verbose_name_plural = _("队伍成员")
        constraints = [
            # One open (pending or active) membership per volunteer and team; history rows
            # (left/rejected) may repeat.
            models.UniqueConstraint(
                fields=["team", "volunteer"],
                condition=models.Q(status__in=["pending", "active"]),
                name="one_open_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.team}"


class ServiceRecord(models.Model):
    """Verified volunteer service: who served, for what, when, how long, how verified.

    Never edited: a correction is a new record that references the one it corrects.
    """

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="service_records"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="service_records"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("服务区划"), on_delete=models.PROTECT, related_name="service_records"
    )
    source_type = models.CharField(_("来源"), max_length=20, choices=ServiceSource.choices)
    source_id = models.BigIntegerField(_("来源编号"), null=True, blank=True)
    description = models.CharField(_("服务内容"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=6, decimal_places=2)
    verification = models.CharField(_("核验方式"), max_length=20, choices=Verification.choices)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_backfill = models.BooleanField(_("补录"), default=False)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["volunteer", "started_at"]),
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["region", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.started_at:%Y-%m-%d} {self.hours}h"


class PointsEntry(models.Model):
    """One append-only line of a volunteer's points ledger; every entry names its cause."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="points_entries"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=PointsKind.choices)
    delta = models.IntegerField(_("积分变动"))
    balance_after = models.IntegerField(_("变动后余额"))
    service_record = models.ForeignKey(
        ServiceRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_entries",
    )
    redemption = models.ForeignKey(
        "volunteers.Redemption",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_entries",
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="points_balance_after_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.delta:+d}"


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
from .models_certificates import Certificate  # noqa: E402,F401
from .models_exchange import Redemption, Reward  # noqa: E402,F401
from .models_imports import VolunteerImport  # noqa: E402,F401
