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
        constraints = [
            # A record credits real service: an original is > 0 hours, a correction a
            # non-zero change. A 0-hour record can never be written, by any path.
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True, hours__gt=0)
                | (models.Q(corrects__isnull=False) & ~models.Q(hours=0)),
                name="service_record_hours_not_zero",
            ),
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
            # Every line moves the balance: no "0 · 服务获得" lines.
            models.CheckConstraint(
                condition=~models.Q(delta=0), name="points_entry_delta_not_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.delta:+d}"


class HoursDispute(models.Model):
    """A volunteer's objection to the hours of one of their records (时长申诉), raised
    within ``policy.hours_dispute_window`` of the record and settled by whoever may
    (``policy.may_resolve_hours_dispute``). Settling never edits the record: an upheld
    dispute appends a correction (``correction``), a rejected one keeps the hours."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("已更正")
        REJECTED = "rejected", _("维持原时长")

    record = models.ForeignKey(
        ServiceRecord, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("服务记录")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="hours_disputes"
    )
    claimed_hours = models.DecimalField(
        _("申诉时长（小时）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    reason = models.CharField(_("申诉理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution = models.CharField(_("处理说明"), max_length=300, blank=True)
    correction = models.ForeignKey(
        ServiceRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("更正记录"),
    )

    class Meta:
        verbose_name = _("时长申诉")
        verbose_name_plural = _("时长申诉")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(status="open"), name="one_open_dispute"
            ),
            models.CheckConstraint(
                condition=models.Q(claimed_hours__isnull=True) | models.Q(claimed_hours__gte=0),
                name="dispute_claimed_hours_nonnegative",
            ),
        ]
        indexes = [models.Index(fields=["status", "record"])]

    def __str__(self) -> str:
        return f"{self.record_id} {self.status}"
