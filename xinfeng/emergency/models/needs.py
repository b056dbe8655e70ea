"""Needs and tasks (a dyke section's night shift, sandbag filling, door-to-door checks) with
a number of places that teams and volunteers commit to."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.regions.models import Region
from xinfeng.volunteers.models import Team, Volunteer

from ..choices import NeedStatus
from .incidents import Incident


class Need(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="needs")
    title = models.CharField(_("任务"), max_length=120)
    region = models.ForeignKey(
        Region, verbose_name=_("地点区划"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("地点"), max_length=120, blank=True)
    places = models.PositiveIntegerField(_("需要人数"), validators=[MinValueValidator(1)])
    taken = models.PositiveIntegerField(_("已认领"), default=0)
    risky = models.BooleanField(_("有危险的任务"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("应急任务")
        verbose_name_plural = _("应急任务")
        ordering = ["status", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("places")), name="need_never_overfilled"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def free(self) -> int:
        return max(0, self.places - self.taken)


class NeedCommitment(models.Model):
    """A volunteer's "来" (1 place) or a team's commitment of several places."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="commitments")
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(_("人数"), default=1, validators=[MinValueValidator(1)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("任务认领")
        verbose_name_plural = _("任务认领")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "volunteer"],
                condition=models.Q(volunteer__isnull=False),
                name="one_commitment_per_volunteer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.need_id}:{self.volunteer_id or self.team_id}×{self.count}"
