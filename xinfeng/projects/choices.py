from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    """A project's life: a site declares it, the level above approves it, then it runs."""

    DECLARED = "declared", _("已申报")
    APPROVED = "approved", _("已审核")
    ACTIVE = "active", _("运行中")
    RETIRED = "retired", _("已停止")


class AgeGroup(models.TextChoices):
    """Who a project serves, by age."""

    ALL = "all", _("不限")
    CHILDREN = "children", _("少年儿童")
    YOUTH = "youth", _("青年")
    ADULTS = "adults", _("成年人")
    ELDERLY = "elderly", _("老年人")


# One table of allowed project moves: action → (from states, to state).
PROJECT_TRANSITIONS = {
    "approve": ((ProjectStatus.DECLARED,), ProjectStatus.APPROVED),
    "activate": ((ProjectStatus.APPROVED,), ProjectStatus.ACTIVE),
    "retire": (
        (ProjectStatus.DECLARED, ProjectStatus.APPROVED, ProjectStatus.ACTIVE),
        ProjectStatus.RETIRED,
    ),
}

# The ages (inclusive) of the people each age group serves: 少年儿童 under 18 (未成年人),
# 青年 14–35 (the national youth plan), 成年人 18 and over, 老年人 60 and over (老年人权益
# 保障法). An order for a project with an age group must say the age of the person served.
AGE_RANGES: dict[str, tuple[int, int]] = {
    AgeGroup.CHILDREN: (0, 17),
    AgeGroup.YOUTH: (14, 35),
    AgeGroup.ADULTS: (18, 150),
    AgeGroup.ELDERLY: (60, 150),
}
MAX_AGE = 150
