"""Demonstration sites (示范点): a designation of a site inside a township, for a year, by a
designating body, with its criteria; reviewed each year (kept or withdrawn, with reasons).
A designation holds from its year on until a review withdraws it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.places.models import Site
from xinfeng.regions.models import Region

from ..choices import DesignationStatus, ReviewOutcome


class Designation(models.Model):
    site = models.ForeignKey(
        Site, verbose_name=_("阵地"), on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        Region, verbose_name=_("乡镇（街道）"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("命名年度"))
    criteria = models.TextField(_("命名标准"))
    designated_by = models.CharField(_("命名单位"), max_length=120)
    designated_by_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=DesignationStatus.choices,
        default=DesignationStatus.ACTIVE,
    )
    withdrawn_year = models.PositiveSmallIntegerField(_("撤销年度"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("示范点")
        verbose_name_plural = _("示范点")
        ordering = ["township__path", "year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "year"], name="demosite_one_per_site_year")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.year}"


class DesignationReview(models.Model):
    designation = models.ForeignKey(Designation, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("复核年度"))
    outcome = models.CharField(_("复核结果"), max_length=10, choices=ReviewOutcome.choices)
    reasons = models.TextField(_("理由"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("示范点年度复核")
        verbose_name_plural = _("示范点年度复核")
        ordering = ["designation_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["designation", "year"], name="demosite_one_review_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.designation_id} {self.year} {self.outcome}"
