"""Choices of the surveys app (三问: 问需 needs, 问计 ideas, 问效 evaluation)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    NEEDS = "needs", _("问需")
    IDEAS = "ideas", _("问计")
    EVALUATION = "evaluation", _("问效")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("收集中")
    CLOSED = "closed", _("已结束")


# Allowed status moves: publish (draft → open), close (open → closed), reopen (closed → open).
STATUS_MOVES = {
    SurveyStatus.DRAFT: {SurveyStatus.OPEN},
    SurveyStatus.OPEN: {SurveyStatus.CLOSED},
    SurveyStatus.CLOSED: {SurveyStatus.OPEN},
}


class DuplicatePolicy(models.TextChoices):
    PER_PERSON = "per_person", _("每人一份（需登录）")
    PER_DEVICE = "per_device", _("每台设备一份（设备标记 + 网络地址，限定时间窗口）")
    NONE = "none", _("不限制")


class QuestionType(models.TextChoices):
    """The question types; the values are the XLSForm type names where one exists."""

    SINGLE = "select_one", _("单选")
    MULTIPLE = "select_multiple", _("多选")
    RATING = "rating", _("评分（1–5）")
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    TEXT = "text", _("简短文字")
    LONG_TEXT = "long_text", _("长文字")
    VILLAGE = "village", _("选择村（社区）")
    PHOTO = "image", _("照片")


CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)
NUMBER_TYPES = (QuestionType.RATING, QuestionType.INTEGER, QuestionType.DECIMAL)
TEXT_TYPES = (QuestionType.TEXT, QuestionType.LONG_TEXT)


class AgeBand(models.TextChoices):
    """Ages are asked in bands only, never a birth date or an ID number. The first band is
    below the volunteers app's guardian-consent age (``volunteers.policy.GUARDIAN_CONSENT_AGE``)."""

    UNDER_14 = "u14", _("14 岁以下")
    AGE_14_17 = "14_17", _("14–17 岁")
    AGE_18_34 = "18_34", _("18–34 岁")
    AGE_35_59 = "35_59", _("35–59 岁")
    AGE_60_69 = "60_69", _("60–69 岁")
    AGE_70_79 = "70_79", _("70–79 岁")
    AGE_80_UP = "80_up", _("80 岁及以上")


MINOR_BANDS = (AgeBand.UNDER_14, AgeBand.AGE_14_17)


class Sex(models.TextChoices):
    FEMALE = "f", _("女")
    MALE = "m", _("男")
    UNSAID = "", _("不愿透露")


class Channel(models.TextChoices):
    LINK = "link", _("链接")
    QR = "qr", _("二维码海报")
    PAPER = "paper", _("纸质问卷代填")
    API = "api", _("接口")
