"""Insights: rollup tables the dashboards read, and the bookkeeping of the rollup runs.

The dashboards never aggregate the raw tables (service records, orders, activities) on a
request: ``insights.rollup`` adds everything up by region in the worker and stores one
``RegionStat`` row per region (covering its whole subtree). Pages and the API read those.
"""

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import PATH_MAX_LENGTH, Region

# Typed figures dashboards rank regions by; the nullable ones rank "no data" last.
RANKING_COLUMNS = (
    "hours",
    "volunteers",
    "activities",
    "audience",
    "orders",
    "satisfaction",
    "coverage",
)
NULLABLE_RANKINGS = ("satisfaction", "coverage")


def ranking_key(column: str):
    """The sort key of a ranking column (the same expression as its index)."""
    if column in NULLABLE_RANKINGS:
        return Coalesce(F(column), Value(-1.0))
    return F(column)


class RegionStat(models.Model):
    """The figures of one region and everything under it, as of the last rollup run.

    ``figures`` holds every headline number (sites by level, teams, volunteers, projects,
    activities and audience, orders by state, on-time counts per step, ratings, follow-ups,
    hours, coverage); ``months`` the monthly series of the last twelve months. The typed
    columns repeat the figures that rankings sort by, so a ranking is one indexed query.
    """

    region = models.OneToOneField(
        Region,
        verbose_name=_("区划"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="stat",
    )
    path = models.CharField(max_length=PATH_MAX_LENGTH)
    depth = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=20)
    volunteers = models.IntegerField(_("注册志愿者"), default=0)
    hours = models.FloatField(_("服务时长"), default=0)
    activities = models.IntegerField(_("活动场次"), default=0)
    audience = models.BigIntegerField(_("参与人次"), default=0)
    orders = models.IntegerField(_("订单"), default=0)
    satisfaction = models.FloatField(_("满意度"), null=True, blank=True)
    coverage = models.FloatField(_("15分钟圈覆盖率"), null=True, blank=True)
    figures = models.JSONField(default=dict)
    months = models.JSONField(default=dict)
    digest = models.CharField(max_length=32)
    computed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("区划统计")
        verbose_name_plural = _("区划统计")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="insights_stat_path"),
            models.Index(fields=["level", "path"], name="insights_stat_level_path"),
            # "Top villages by X" walks one of these from the top and stops after ten,
            # instead of sorting every village of a province (``selectors.ranking_order``).
            *(
                models.Index(F("level"), ranking_key(column).desc(), name=f"insights_rank_{column}")
                for column in RANKING_COLUMNS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} @ {self.computed_at:%Y-%m-%d %H:%M}"


class RollupRun(models.Model):
    """One run of the rollup: when it started and ended, how many region rows it rewrote,
    and whether it failed. The dashboard's "as of" time is the last successful run."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        OK = "ok", _("完成")
        FAILED = "failed", _("失败")

    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    trigger = models.CharField(_("触发"), max_length=20, blank=True)
    regions = models.PositiveIntegerField(_("区划数"), default=0)
    changed = models.PositiveIntegerField(_("更新行数"), default=0)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    timings = models.JSONField(_("分项耗时"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("统计汇总运行")
        verbose_name_plural = _("统计汇总运行")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-finished_at"], name="insights_run_ok")]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.status}"


class RollupState(models.Model):
    """A single row (id 1): whether a recompute is already queued. Changes to the raw data
    set ``pending`` and enqueue one task; more changes while it waits enqueue nothing more
    (debounce). The task clears the flag when it starts, so later changes queue a new run."""

    pending = models.BooleanField(default=False)
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("统计汇总状态")
        verbose_name_plural = _("统计汇总状态")

    def __str__(self) -> str:
        return f"pending={self.pending}"
