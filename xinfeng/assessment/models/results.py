"""Stored results (like the insights rollups): per scheme, period and place, the total,
the rank among places of its level, the leader named, and one line per standard.
Derived data: ``services.results.results_compute`` replaces a period's rows wholesale."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import Region

from .scheme import Node, Scheme


class Result(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="results")
    period = models.CharField(_("考核期"), max_length=10)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("考核对象"), max_length=10)
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
            models.UniqueConstraint(fields=["scheme", "period", "region"], name="result_unique")
        ]
        indexes = [models.Index(fields=["scheme", "period", "level", "rank"])]

    def __str__(self) -> str:
        return f"{self.period} {self.region_id} {self.total}"


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

    def __str__(self) -> str:
        return f"{self.result_id} {self.node_id} {self.score}"
