"""Choices for activities, sign-ups, attendance, bookings and news.

The allowed state moves of an activity live in one table, ``ACTIVITY_TRANSITIONS``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已发布")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class ActivityAction(models.TextChoices):
    CREATE = "create", _("创建")
    SUBMIT = "submit", _("提交审核")
    APPROVE = "approve", _("审核通过")
    REJECT = "reject", _("退回修改")
    PUBLISH = "publish", _("发布")
    FINISH = "finish", _("结束")
    CANCEL = "cancel", _("取消")


S = ActivityState
# (from state, action) -> to state. Every state change goes through this table.
ACTIVITY_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, ActivityAction.SUBMIT): S.SUBMITTED,
    (S.DRAFT, ActivityAction.PUBLISH): S.PUBLISHED,  # only when the site needs no review
    (S.SUBMITTED, ActivityAction.APPROVE): S.PUBLISHED,
    (S.SUBMITTED, ActivityAction.REJECT): S.DRAFT,
    (S.PUBLISHED, ActivityAction.FINISH): S.FINISHED,
    (S.DRAFT, ActivityAction.CANCEL): S.CANCELLED,
    (S.SUBMITTED, ActivityAction.CANCEL): S.CANCELLED,
    (S.PUBLISHED, ActivityAction.CANCEL): S.CANCELLED,
}
# States in which the activity can still be edited by its organisers.
EDITABLE_STATES = (S.DRAFT, S.SUBMITTED, S.PUBLISHED)
PUBLIC_STATES = (S.PUBLISHED, S.FINISHED)


class Eligibility(models.TextChoices):
    """Who may sign up."""

    EVERYONE = "everyone", _("所有群众")
    VOLUNTEERS = "volunteers", _("注册志愿者")
    TEAM = "team", _("指定队伍成员")


class Mode(models.TextChoices):
    OFFLINE = "offline", _("线下")
    ONLINE = "online", _("线上")
    BOTH = "both", _("线上+线下")


class SignupState(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补中")
    CANCELLED = "cancelled", _("已取消")


OPEN_SIGNUP_STATES = (SignupState.CONFIRMED, SignupState.WAITLISTED)


class CheckMethod(models.TextChoices):
    QR = "qr", _("扫码")
    CODE = "code", _("签到码")
    GEOFENCE = "geofence", _("定位")
    ORGANISER = "organiser", _("组织者确认")
    AUTO = "auto", _("活动结束自动签退")


class ViewKind(models.TextChoices):
    LIVE = "live", _("直播")
    REPLAY = "replay", _("回放")


class BookingState(models.TextChoices):
    CONFIRMED = "confirmed", _("已预约")
    CANCELLED = "cancelled", _("已取消")


class NewsKind(models.TextChoices):
    NEWS = "news", _("新闻")
    ANNOUNCEMENT = "announcement", _("公告")
