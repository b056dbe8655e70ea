"""Temporary stations (临时分站) at resettlement points and who served there."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.places.models import Site
from xinfeng.volunteers.models import ServiceRecord, Volunteer

from ..choices import CheckinMethod
from .incidents import Incident


def _token() -> str:
    return secrets.token_urlsafe(12)


class Station(models.Model):
    """A temporary practice branch station run for an incident at a resettlement point
    (a ``places.Site`` of kind TEMPORARY with an active period). It closes with the
    incident; its records stay."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="stations")
    site = models.OneToOneField(Site, on_delete=models.PROTECT, related_name="emergency_station")
    checkin_token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("开设时间"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("临时分站")
        verbose_name_plural = _("临时分站")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.site.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class StationShift(models.Model):
    """A volunteer's arrival and departure at a station; the departure credits hours as
    emergency service (``record``)."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="shifts")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("签到方式"), max_length=10, choices=CheckinMethod.choices)
    checked_in_at = models.DateTimeField(_("到达"))
    checked_out_at = models.DateTimeField(_("离开"), null=True, blank=True)
    record = models.ForeignKey(
        ServiceRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("分站签到")
        verbose_name_plural = _("分站签到")
        ordering = ["-checked_in_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "volunteer"],
                condition=models.Q(checked_out_at__isnull=True),
                name="one_open_station_shift",
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id}:{self.volunteer_id}"
