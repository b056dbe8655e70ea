"""Service projects: the standing services residents order from (the menu of 点单)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import TimeStampedModel
from xinfeng.places.models import Site
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.models import Team

from .choices import AgeGroup, ProjectStatus

# Default step deadlines when a project does not set its own (and for free-text orders).
DEFAULT_REVIEW_WITHIN = timedelta(hours=24)
DEFAULT_DISPATCH_WITHIN = timedelta(hours=24)
DEFAULT_ACCEPT_WITHIN = timedelta(hours=12)
DEFAULT_START_WITHIN = timedelta(days=3)
DEFAULT_RATE_WITHIN = timedelta(days=7)
MIN_STEP = timedelta(minutes=5)


class Project(TimeStampedModel):
    """A volunteer service project (志愿服务项目) a site offers and residents can order:
    e.g. 颐养之家 (elderly care) or 白衣天使乡村行 (free village health checks).

    A site declares it; the site one level up approves it; it then runs (``active``) until
    retired. It says who may order it (areas, age group), which teams serve it, how long
    each step of an order may take, and counts what it achieved.
    """

    name = models.CharField(_("项目名称"), max_length=120)
    category = models.CharField(
        _("服务类别"), max_length=20, choices=ServiceCategory.choices, db_index=True
    )
    summary = models.CharField(_("一句话介绍"), max_length=200, blank=True)
    description = models.TextField(_("项目介绍"), blank=True)
    site = models.ForeignKey(
        Site, verbose_name=_("所属阵地"), on_delete=models.PROTECT, related_name="projects"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="projects",
        editable=False,
        help_text=_("取所属阵地的区划；用于权限范围。"),
    )
    teams = models.ManyToManyField(
        Team, verbose_name=_("承接队伍"), blank=True, related_name="projects"
    )
    areas = models.ManyToManyField(
        Region,
        verbose_name=_("可点单区域"),
        blank=True,
        related_name="+",
        help_text=_("留空表示所属阵地辖区内均可点单。"),
    )
    age_group = models.CharField(
        _("服务对象"), max_length=20, choices=AgeGroup.choices, default=AgeGroup.ALL
    )
    is_risky = models.BooleanField(
        _("有风险的服务"), default=False, help_text=_("未成年志愿者不得参与。")
    )
    review_within = models.DurationField(
        _("审单时限"), default=DEFAULT_REVIEW_WITHIN, validators=[MinValueValidator(MIN_STEP)]
    )
    dispatch_within = models.DurationField(
        _("派单时限"), default=DEFAULT_DISPATCH_WITHIN, validators=[MinValueValidator(MIN_STEP)]
    )
    accept_within = models.DurationField(
        _("接单时限"), default=DEFAULT_ACCEPT_WITHIN, validators=[MinValueValidator(MIN_STEP)]
    )
    start_within = models.DurationField(
        _("开始服务时限"), default=DEFAULT_START_WITHIN, validators=[MinValueValidator(MIN_STEP)]
    )
    rate_within = models.DurationField(
        _("评单时限"),
        default=DEFAULT_RATE_WITHIN,
        validators=[MinValueValidator(MIN_STEP)],
        help_text=_("完成后超过此时限未评价的，系统自动评价。"),
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.DECLARED,
        db_index=True,
    )
    is_provincial_demo = models.BooleanField(_("省级示范项目"), default=False)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    activated_at = models.DateTimeField(_("上线时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停止时间"), null=True, blank=True)
    outcome_label = models.CharField(
        _("成效计量"), max_length=30, blank=True, help_text=_("如“义诊人次”“受益儿童”。")
    )
    outcome_count = models.PositiveIntegerField(_("服务人次"), default=0)
    orders_completed = models.PositiveIntegerField(_("完成订单数"), default=0)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "category"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.site_id:
            self.region_id = self.site.region_id
        if self.is_risky is False and self.category == ServiceCategory.EMERGENCY:
            # Emergency work is risky by nature: keep minors out whatever the flag says.
            self.is_risky = True

    def save(self, *args, **kwargs):
        if self.site_id and not self.region_id:
            self.region_id = self.site.region_id
        super().save(*args, **kwargs)

    @property
    def is_orderable(self) -> bool:
        return self.status == ProjectStatus.ACTIVE

    def deadline_for(self, step: str) -> timedelta:
        return getattr(self, f"{step}_within")

    def validate_orderable_at(self, region: Region) -> None:
        """Raise ValidationError when a resident in ``region`` may not order this project."""
        if not self.is_orderable:
            raise ValidationError(_("该项目当前不接受点单。"))
        areas = list(self.areas.all())
        scope = areas or [self.site.region]
        if not any(region.path.startswith(a.path) for a in scope):
            raise ValidationError(_("您所在的区域不在该项目的服务范围内。"))
