"""Standby rosters (备勤): shifts of a team, unavailability, emergency skills."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import Region
from xinfeng.volunteers.models import Team, Volunteer


class StandbyShift(models.Model):
    """A recurring standby shift of a team (e.g. 蓝天救援队 白班 08:00–20:00 every day).
    ``end_time`` before ``start_time`` runs past midnight. A team's shifts never overlap
    on the same weekday (checked by ``services.rosters``)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="standby_shifts")
    name = models.CharField(_("班次"), max_length=60)
    weekdays = models.JSONField(_("星期"), default=list, help_text=_("0=周一 … 6=周日"))
    start_time = models.TimeField(_("开始"))
    end_time = models.TimeField(_("结束"))
    members = models.ManyToManyField(Volunteer, verbose_name=_("备勤人员"), related_name="+")

    class Meta:
        verbose_name = _("备勤班次")
        verbose_name_plural = _("备勤班次")
        ordering = ["team_id", "start_time", "id"]

    def __str__(self) -> str:
        return f"{self.team} {self.name}"


class Unavailability(models.Model):
    """A period when a volunteer cannot be called (travel, illness, exams)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("不可备勤时段")
        verbose_name_plural = _("不可备勤时段")
        indexes = [models.Index(fields=["volunteer", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.starts_at:%Y-%m-%d}"


class EmergencyProfile(models.Model):
    """A volunteer's emergency skills and home village (老家). ``home_village`` differs from
    the volunteer's home region for people living elsewhere, who are asked to come home
    (返乡) when their village is hit."""

    volunteer = models.OneToOneField(
        Volunteer, on_delete=models.CASCADE, related_name="emergency_profile"
    )
    skills = models.JSONField(_("应急技能"), default=list, blank=True)
    home_village = models.ForeignKey(
        Region,
        verbose_name=_("家乡村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("应急技能档案")
        verbose_name_plural = _("应急技能档案")

    def __str__(self) -> str:
        return f"{self.volunteer_id}"
