"""Manual standards: inspectors assigned per scheme and area (no new accounts role), their
visit results with evidence, the assessed place's statement, confirmation by the level
above. A change after recording is a new version that supersedes the old row (kept)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import Region

from ..choices import Grade
from .scheme import Node, Scheme


class InspectorAssignment(models.Model):
    """``user`` inspects the places in ``region``'s subtree for ``scheme``."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="inspectors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考核检查员")
        verbose_name_plural = _("考核检查员")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "user", "region"], name="inspector_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.region_id}"


class ManualScore(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待确认")
        CONFIRMED = "confirmed", _("已确认")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="manual_scores")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="manual_scores")
    # The assessed unit: a township or village (``region``), or a site or team (then
    # ``region`` is its region, for scope).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "places.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "volunteers.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("考核期"), max_length=10)
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    grade = models.CharField(_("档次"), max_length=2, choices=Grade.choices, blank=True)
    value = models.DecimalField(
        _("差距/数值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    done = models.BooleanField(_("达标"), default=False)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)
    note = models.CharField(_("检查记录"), max_length=500, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/evidence/", blank=True)
    statement = models.CharField(_("被考核单位说明"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        ordering = ["-id"]
        indexes = [models.Index(fields=["scheme", "period", "region"])]

    def __str__(self) -> str:
        return f"{self.node_id} {self.region_id} {self.period} v{self.version}"

    @property
    def unit_name(self) -> str:
        if self.site_id:
            return self.site.name
        if self.team_id:
            return self.team.name
        return self.region.display_name
