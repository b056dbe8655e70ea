"""Numbered situation reports (态势报告): figures from the data plus the staff's text."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .incidents import Incident


class Sitrep(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sitreps")
    number = models.PositiveIntegerField(_("期号"))
    figures = models.JSONField(_("数据"), default=dict)
    text = models.TextField(_("情况说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("态势报告")
        verbose_name_plural = _("态势报告")
        ordering = ["incident_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="one_sitrep_number")
        ]

    def __str__(self) -> str:
        return f"{self.incident} #{self.number}"
