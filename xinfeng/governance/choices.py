from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.places.choices import Department


class StaffKind(models.TextChoices):
    """Who runs a site day to day besides its responsible person."""

    FULL_TIME = "full_time", _("专职人员")
    PROPAGANDIST = "propagandist", _("专职党建宣传员")


class HandoverKind(models.TextChoices):
    RESPONSIBLE = "responsible", _("一把手")
    STAFF = "staff", _("专职人员")


class GroupRole(models.TextChoices):
    """A member's place in a leading group (工作领导小组)."""

    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")


class Gap(models.TextChoices):
    """What a site lacks, flagged to the level above."""

    NO_RESPONSIBLE = "no_responsible", _("无在任一把手")
    NO_STAFF = "no_staff", _("无专职人员")


# The six departments that guide the work (服务指导作用) and get a read-only view.
GUIDING_DEPARTMENTS = (
    Department.ORGANIZATION,
    Department.PUBLICITY,
    Department.FINANCE,
    Department.CIVIL_AFFAIRS,
    Department.CULTURE_TOURISM,
    Department.HUMAN_RESOURCES,
)
