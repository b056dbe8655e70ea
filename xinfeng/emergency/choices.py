from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    FLOOD = "flood", _("洪涝")
    EPIDEMIC = "epidemic", _("疫情")
    FIRE = "fire", _("火灾")
    STORM = "storm", _("台风暴雨")
    OTHER = "other", _("其他")


class IncidentLevel(models.IntegerChoices):
    """China's four response levels: I (特别重大) is the highest."""

    I = 1, _("I 级（特别重大）")  # noqa: E741
    II = 2, _("II 级（重大）")
    III = 3, _("III 级（较大）")
    IV = 4, _("IV 级（一般）")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("响应中")
    CLOSED = "closed", _("已结束")


class IncidentAction(models.TextChoices):
    DECLARE = "declare", _("启动响应")
    LEVEL = "level", _("调整级别")
    NOTICE = "notice", _("发布公告")
    CALLOUT = "callout", _("发起召集")
    ESCALATE = "escalate", _("召集升级")
    CALLOUT_CLOSE = "callout_close", _("结束召集")
    NEED_OPEN = "need_open", _("发布任务")
    NEED_CLOSE = "need_close", _("关闭任务")
    STATION_OPEN = "station_open", _("开设临时分站")
    STATION_CLOSE = "station_close", _("关闭临时分站")
    SITREP = "sitrep", _("发布态势报告")
    CLOSE = "close", _("结束响应")


class EmergencySkill(models.TextChoices):
    SWIMMING = "swimming", _("游泳")
    BOAT = "boat", _("驾船")
    FIRST_AID = "first_aid", _("急救")
    MEDICAL = "medical", _("医护")
    DRIVING = "driving", _("驾驶")
    DRONE = "drone", _("无人机")
    DIVING = "diving", _("潜水")
    RADIO = "radio", _("无线电通信")
    ELECTRIC = "electric", _("电工")
    PSYCH = "psych", _("心理疏导")


class Answer(models.TextChoices):
    COMING = "coming", _("来")
    DECLINED = "declined", _("不来")
    LATER = "later", _("稍后答复")


class RecipientState(models.TextChoices):
    """Where one person stands in a call-out. ``reserve`` people wait on the roster for an
    escalation; ``queued`` ones wait for the worker to send; the rest were sent."""

    RESERVE = "reserve", _("候补")
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    COMING = "coming", _("来")
    DECLINED = "declined", _("不来")
    LATER = "later", _("稍后答复")
    ARRIVED = "arrived", _("已到达")


class CalloutStatus(models.TextChoices):
    OPEN = "open", _("召集中")
    CLOSED = "closed", _("已结束")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已完成")


class CheckinMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    GEOFENCE = "geofence", _("定位签到")
    STAFF = "staff", _("工作人员登记")
