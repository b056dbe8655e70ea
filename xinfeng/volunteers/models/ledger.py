"""The hours and points ledger: service records and points entries (append-only)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import PointsKind, ServiceSource, Verification

from .profiles import Volunteer
from .teams import Team


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
