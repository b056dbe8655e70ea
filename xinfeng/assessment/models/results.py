"""Stored results (like the insights rollups): per scheme, period and assessed unit — a
township, a village, a practice site or a volunteer team — the total, the rank among the
units of its level (sites rank within their site level: institutes among institutes), the
leader named, and one line per standard. ``region`` is the unit itself for a township or
village and the unit's region for a site or team (scope reads it). Derived data:
``services.results.results_compute`` replaces a period's rows wholesale."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.places.models import Site
from xinfeng.regions.models import Region

from .scheme import Node, Scheme


class Result(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="results")
    period = models.CharField(_("考核期"), max_length=10)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("考核对象"), max_length=10)
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "volunteers.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Units rank within (level, rank_group): a site's level (institute, station, point),
    # else empty.
    rank_group = models.CharField(_("排名分组"), max_length=20, blank=True)
    total = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)
    max_points = models.DecimalField(_("满分"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(_("排名"))
    leader = models.CharField(_("一把手"), max_length=100, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["scheme", "period", "level", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "period", "region"],
                condition=models.Q(site__isnull=True, team__isnull=True),
                name="result_place_unique",
            ),
            models.UniqueConstraint(
                fields=["scheme", "period", "site"],
                condition=models.Q(site__isnull=False),
                name="result_site_unique",
            ),
            models.UniqueConstraint(
                fields=["scheme", "period", "team"],
                condition=models.Q(team__isnull=False),
                name="result_team_unique",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "period", "level", "rank_group", "rank"])]

    def __str__(self) -> str:
        return f"{self.period} {self.name} {self.total}"

    @property
    def name(self) -> str:
        """The assessed unit's name: the site's or team's, else the place's."""
        if self.site_id:
            return self.site.name
        if self.team_id:
            return self.team.name
        return self.region.display_name

    @property
    def level_label(self) -> str:
        from ..choices import AssessedLevel

        return str(dict(AssessedLevel.choices).get(self.level, self.level))

    @property
    def rank_group_label(self) -> str:
        from xinfeng.places.choices import SiteLevel

        return str(dict(SiteLevel.choices).get(self.rank_group, self.rank_group))


class ResultLine(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="lines")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    figure = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    numerator = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    score = models.DecimalField(max_digits=8, decimal_places=2)
    link = models.CharField(max_length=200, blank=True)
    pending = models.BooleanField(default=False)  # a manual standard not yet scored

    class Meta:
        ordering = ["result", "node__position"]
        constraints = [
            models.UniqueConstraint(fields=["result", "node"], name="result_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.result_id} {self.node_id} {self.score}"


class ResultsRun(models.Model):
    """One run of the results computation: the worker's scheduled recompute of the
    current periods of every published scheme of the year, or a person's "compute this
    period". Each step (one scheme and period) commits on its own, so ``steps_done`` is the
    progress others see while the run goes on."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("定时任务")
        MANUAL = "manual", _("手动计算")

    class Status(models.TextChoices):
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("部分失败")

    trigger = models.CharField(_("触发方式"), max_length=10, choices=Trigger.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    scheme = models.ForeignKey(
        Scheme, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    steps_total = models.PositiveIntegerField(_("步骤数"), default=0)
    steps_done = models.PositiveIntegerField(_("已完成步骤"), default=0)
    places = models.PositiveIntegerField(_("计算单位数"), default=0)
    periods = models.JSONField(_("考核期"), default=list, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考核计算记录")
        verbose_name_plural = _("考核计算记录")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.trigger} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)
