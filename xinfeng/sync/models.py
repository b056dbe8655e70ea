"""The outbox to upper platforms, each target's switchboard, inbound receipts and the
daily reconciliation figures (issue 17, docs/sync.md)."""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Entity, OutboxStatus


def new_idempotency_key() -> str:
    return f"xf-{uuid.uuid4().hex}"


class OutboxRow(models.Model):
    """One change one target must receive. Written by ``receivers`` in the transaction of the
    change (so it commits or rolls back with it); sent by ``services.relay``."""

    target = models.CharField(_("上报平台"), max_length=32)
    entity_type = models.CharField(_("数据类型"), max_length=20, choices=Entity.choices)
    entity_id = models.BigIntegerField(_("数据编号"))
    event = models.CharField(_("事件"), max_length=40)
    payload = models.JSONField(_("内容"), encoder=DjangoJSONEncoder)
    idempotency_key = models.CharField(
        _("幂等键"), max_length=80, unique=True, default=new_idempotency_key
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.WAITING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("产生时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    ack_ref = models.CharField(_("对方编号"), max_length=100, blank=True)
    adapter_version = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("上报队列")
        verbose_name_plural = _("上报队列")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["target", "status", "id"], name="sync_due"),
            models.Index(
                fields=["target", "entity_type", "entity_id", "id"], name="sync_entity_order"
            ),
            models.Index(fields=["target", "sent_at"], name="sync_sent_day"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.entity_type}#{self.entity_id} {self.event}"


class TargetState(models.Model):
    """A target's switchboard: paused by staff, and its circuit breaker (a target that keeps
    failing is left alone until ``open_until``)."""

    target = models.CharField(_("上报平台"), max_length=32, primary_key=True)
    paused = models.BooleanField(_("已暂停"), default=False)
    paused_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("上报平台状态")
        verbose_name_plural = _("上报平台状态")

    def __str__(self) -> str:
        return self.target


class InboundReceipt(models.Model):
    """An inbound push already handled: a repeat with the same key gets the same answer."""

    source = models.CharField(max_length=32)
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=40)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="sync_inbound_once")]

    def __str__(self) -> str:
        return f"{self.source} {self.key}"


class ExternalRef(models.Model):
    """An upper platform's id for one of our records (e.g. a national volunteer number)."""

    target = models.CharField(max_length=32)
    entity_type = models.CharField(max_length=20, choices=Entity.choices)
    external_id = models.CharField(max_length=100)
    local_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "entity_type", "external_id"], name="sync_external_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.entity_type} {self.external_id}"


class DailyReport(models.Model):
    """A target's figures for one day (of ``created_at``), kept for comparison with its own."""

    target = models.CharField(_("上报平台"), max_length=32)
    day = models.DateField(_("日期"))
    sent = models.PositiveIntegerField(_("已发送"), default=0)
    acknowledged = models.PositiveIntegerField(_("已确认"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    waiting = models.PositiveIntegerField(_("待发送"), default=0)
    oldest_waiting_at = models.DateTimeField(_("最早待发送"), null=True, blank=True)
    sent_ids_sha256 = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "target"]
        verbose_name = _("每日对账")
        verbose_name_plural = _("每日对账")
        constraints = [models.UniqueConstraint(fields=["target", "day"], name="sync_report_once")]

    def __str__(self) -> str:
        return f"{self.target} {self.day}"
