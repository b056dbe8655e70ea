"""Teams (1+7+N) and their memberships."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import TimeStampedModel
from xinfeng.places.models import Site
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import MembershipRole, MembershipStatus, TeamType

from .profiles import Volunteer


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
