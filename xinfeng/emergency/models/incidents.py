"""An incident (a flood, an epidemic, a drill), its timeline and its public notices."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import Region

from ..choices import IncidentAction, IncidentKind, IncidentLevel, IncidentStatus


class Incident(models.Model):
    """One emergency response, declared by center staff (or an institute for its township)
    at ``region``; ``affected_regions`` lie in that region's subtree. A drill
    (``is_exercise``) runs the same way but is shown and counted apart."""

    title = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=IncidentKind.choices)
    level = models.PositiveSmallIntegerField(_("响应级别"), choices=IncidentLevel.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("响应区划"), on_delete=models.PROTECT, related_name="+"
    )
    affected_regions = models.ManyToManyField(
        Region, verbose_name=_("受影响区划"), related_name="+"
    )
    is_exercise = models.BooleanField(_("演练"), default=False)
    description = models.TextField(_("情况说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(_("启动时间"), db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("应急事件")
        verbose_name_plural = _("应急事件")
        ordering = ["-declared_at", "-id"]
        indexes = [models.Index(fields=["status", "declared_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN


class IncidentEvent(models.Model):
    """One step of an incident's timeline (never edited)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20, choices=IncidentAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("应急事件记录")
        verbose_name_plural = _("应急事件记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.action}"


class Notice(models.Model):
    """A public notice of an incident, published as a CAP 1.2 alert."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    identifier = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    headline = models.CharField(_("标题"), max_length=160)
    description = models.TextField(_("内容"))
    instruction = models.TextField(_("应对建议"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("应急公告")
        verbose_name_plural = _("应急公告")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.headline
