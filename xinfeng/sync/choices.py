"""Outbox states, entity types and events of the sync app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    WAITING = "waiting", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    DEAD = "dead", _("失败待处理")


class Entity(models.TextChoices):
    VOLUNTEER = "volunteer", _("志愿者")
    TEAM = "team", _("队伍")
    PROJECT = "project", _("项目")
    SERVICE_RECORD = "service_record", _("服务记录")
    ORDER = "order", _("点单")
    CERTIFICATE = "certificate", _("服务证明")


class Event(models.TextChoices):
    CREATED = "created", _("新增")
    UPDATED = "updated", _("更新")
    DELETED = "deleted", _("删除")
    LEFT = "left", _("退出")
    CORRECTED = "corrected", _("更正")
    ISSUED = "issued", _("出具")
    REVOKED = "revoked", _("撤销")
    # An order moves through the 四单 loop: the event is the order action (submit, dispatch,
    # accept, rate, ...), stored as "order.<action>".
