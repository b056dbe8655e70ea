from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    TODO = "todo", _("未开始")
    DOING = "doing", _("进行中")
    DONE = "done", _("已完成")
    OVERDUE = "overdue", _("已逾期")


# Statuses a person may set; ``overdue`` is set by the system when the deadline passes.
SETTABLE_STATUSES = (TaskStatus.TODO, TaskStatus.DOING, TaskStatus.DONE)
OPEN_STATUSES = (TaskStatus.TODO, TaskStatus.DOING, TaskStatus.OVERDUE)


class TaskSource(models.TextChoices):
    MANUAL = "manual", _("方案任务")
    DECISION = "decision", _("领导小组决定")
    OTHER = "other", _("其他")


class LinkKind(models.TextChoices):
    ACTIVITY = "activity", _("活动")
    PROJECT = "project", _("服务项目")
    ORDER = "order", _("点单")
    FIGURE = "figure", _("数据指标")


class TaskEventKind(models.TextChoices):
    CREATED = "created", _("创建")
    STATUS = "status", _("状态变更")
    EVIDENCE = "evidence", _("添加佐证")
    REMINDED = "reminded", _("逾期提醒")
    ESCALATED = "escalated", _("逾期上报上级")


class DesignationStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", _("已撤销")


class ReviewOutcome(models.TextChoices):
    KEPT = "kept", _("保留")
    WITHDRAWN = "withdrawn", _("撤销")


# Demonstration sites each township should have (每乡镇打造2个示范点).
DEMO_SITES_PER_TOWNSHIP = 2
