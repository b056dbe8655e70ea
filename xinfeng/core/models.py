from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One access to or change of sensitive data, kept for inspection.

    Written for every view of unmasked personal data (phone, ID number) and for
    security-relevant actions (login failures, token creation). Append-only.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class WorkerHeartbeat(models.Model):
    """One running ``manage.py worker`` process, seen alive at ``last_seen``.

    A thread of the worker refreshes the row every few seconds, also while a long job runs.
    Another worker that finds a job RUNNING under a worker whose heartbeat has gone stale
    (the process was killed, the machine lost) puts the job back in the queue: no job is lost.
    """

    worker_id = models.CharField(_("工作进程"), max_length=64, primary_key=True)
    host = models.CharField(_("主机"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("进程号"), default=0)
    started_at = models.DateTimeField(_("启动时间"), auto_now_add=True)
    last_seen = models.DateTimeField(_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("后台工作进程")
        verbose_name_plural = _("后台工作进程")

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.last_seen:%H:%M:%S}"


class PeriodicSlot(models.Model):
    """A periodic job's turn: at most one worker enqueues a job per interval slot.

    The slot number is ``floor(epoch seconds / every_seconds)``; the unique constraint is the
    claim, so several workers on several machines share the periodic jobs without running
    one twice in the same interval.
    """

    job = models.CharField(_("任务"), max_length=200)
    slot = models.BigIntegerField(_("时段"))
    claimed_by = models.CharField(_("工作进程"), max_length=64, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("周期任务时段")
        verbose_name_plural = _("周期任务时段")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="core_periodicslot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job} #{self.slot}"
