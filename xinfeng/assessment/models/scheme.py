"""Indicator schemes (考核指标体系), versioned per year: a tree indicator → content →
standard. Only standards carry points, the level they assess, a method and a scoring rule.

A published version is never edited: changes go into a new version of the same year
(``scheme_new_version`` copies the tree)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import Region

from ..choices import AssessedLevel, Method, NodeKind, Rule


class Scheme(models.Model):
    region = models.ForeignKey(
        Region,
        verbose_name=_("制定单位"),
        on_delete=models.PROTECT,
        related_name="assessment_schemes",
    )
    year = models.PositiveSmallIntegerField(
        _("考核年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    title = models.CharField(_("名称"), max_length=120)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考核指标体系")
        verbose_name_plural = _("考核指标体系")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "version"], name="scheme_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year} v{self.version}"


class Node(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(_("层级"), max_length=10, choices=NodeKind.choices)
    code = models.CharField(_("编号"), max_length=20)
    title = models.CharField(_("名称"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    # Standards only:
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, null=True, blank=True)
    level = models.CharField(
        _("考核对象"), max_length=10, choices=AssessedLevel.choices, blank=True
    )
    method = models.CharField(_("考核方式"), max_length=15, choices=Method.choices, blank=True)
    rule = models.CharField(_("计分规则"), max_length=10, choices=Rule.choices, blank=True)
    metric = models.CharField(_("自动指标"), max_length=40, blank=True)
    target = models.DecimalField(
        _("目标值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cap = models.DecimalField(_("封顶倍数"), max_digits=4, decimal_places=2, null=True, blank=True)
    per_unit = models.DecimalField(
        _("每项扣分"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["scheme", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="scheme_node_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
