"""Room bookings (一室多用): one hall serves study, talks, science and fitness in turn."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.places.models import Venue
from xinfeng.volunteers.models import Team

from ..choices import BookingState
from .activity import Activity


class VenueBooking(models.Model):
    """A room of a site booked for a time, by an activity or by a group (a volunteer team or
    a residents' group such as a dance troupe). Confirmed bookings of one venue never
    overlap: the service locks the venue row before checking."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="bookings"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="venue_bookings"
    )
    organisation = models.CharField(_("使用团体"), max_length=100, blank=True)
    title = models.CharField(_("用途"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    state = models.CharField(
        _("状态"), max_length=12, choices=BookingState.choices, default=BookingState.CONFIRMED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("场所预约")
        verbose_name_plural = _("场所预约")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["venue", "state", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="booking_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["activity"],
                condition=models.Q(state="confirmed", activity__isnull=False),
                name="one_confirmed_booking_per_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"

    @property
    def holder(self) -> str:
        if self.activity_id:
            return self.title
        if self.team_id:
            return self.team.name
        return self.organisation
