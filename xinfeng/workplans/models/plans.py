"""Work plans (工作方案): one per level (the region a center, institute or station answers
for) and year, with goals and tasks; each task has an owner inside the plan's area, a
deadline, a status and evidence (checked files, links to records)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.places.models import Site
from xinfeng.regions.models import Region

from ..choices import LinkKind, TaskEventKind, TaskSource, TaskStatus


class WorkPlan(models.Model):
    region = models.ForeignKey(
        Region, verbose_name=_("层级（区划）"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("方案名称"), max_length=200)
    summary = models.TextField(_("方案概要"), blank=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("牵头阵地"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作方案")
        verbose_name_plural = _("工作方案")
        ordering = ["-year", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="workplan_one_per_level_year")
        ]

    def __str__(self) -> str:
        return self.title


class Goal(models.Model):
    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("目标"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("工作目标")
        verbose_name_plural = _("工作目标")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="tasks")
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("所属目标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="workplan_tasks",
    )
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=TaskSource.choices, default=TaskSource.MANUAL
    )
    source_ref = models.CharField(_("来源编号"), max_length=100, blank=True)
    reminded_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        Region,
        verbose_name=_("上报至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("方案任务")
        verbose_name_plural = _("方案任务")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="workplan_task_due")]

    def __str__(self) -> str:
        return self.title


class TaskEvidence(models.Model):
    """A checked file or a link to a record (activity, project, order) or a figure."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("佐证文件"), upload_to="workplans/evidence/", blank=True)
    file_type = models.CharField(max_length=10, blank=True)
    link_kind = models.CharField(_("关联类型"), max_length=10, choices=LinkKind.choices, blank=True)
    link_id = models.BigIntegerField(_("关联编号"), null=True, blank=True)
    figure = models.CharField(_("数据指标"), max_length=60, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("任务佐证")
        verbose_name_plural = _("任务佐证")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.link_kind or self.file_type}"


class TaskEvent(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=TaskEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("任务记录")
        verbose_name_plural = _("任务记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"
