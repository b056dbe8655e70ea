"""Call-outs: who was asked to come, and each person's delivery and answer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.volunteers.models import Team, Volunteer

from ..choices import CalloutStatus, RecipientState
from .incidents import Incident


class Callout(models.Model):
    """A call to come (召集) sent to selected volunteers of an incident. ``wave`` people are
    sent at once; the rest wait on the roster (``reserve``) and are sent when earlier ones
    have not answered within ``escalate_after_minutes``."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="callouts")
    title = models.CharField(_("召集事由"), max_length=120)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    risky = models.BooleanField(_("有危险的任务"), default=True)
    wave = models.PositiveIntegerField(_("首批人数"))
    escalate_after_minutes = models.PositiveIntegerField(_("未答复升级（分钟）"), default=15)
    criteria = models.JSONField(_("筛选条件"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CalloutStatus.choices, default=CalloutStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("应急召集")
        verbose_name_plural = _("应急召集")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CalloutRecipient(models.Model):
    """One person in one call-out: the idempotent delivery row (at most one per person and
    call-out) and the person's answer. The worker moves ``queued`` to ``sent`` in the same
    transaction that writes the inbox message, so a crash re-sends nothing and loses
    nothing."""

    callout = models.ForeignKey(Callout, on_delete=models.CASCADE, related_name="recipients")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rank = models.PositiveIntegerField(_("名次"))
    state = models.CharField(
        _("状态"), max_length=10, choices=RecipientState.choices, default=RecipientState.QUEUED
    )
    distance_km = models.FloatField(null=True, blank=True)
    on_standby = models.BooleanField(default=False)
    returnee = models.BooleanField(_("返乡"), default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    escalated = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("召集对象")
        verbose_name_plural = _("召集对象")
        ordering = ["callout_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["callout", "volunteer"], name="one_recipient_per_callout"
            )
        ]
        indexes = [
            # The worker's queued rows, and the board's counts per team and state (which
            # PostgreSQL can read from this index alone).
            models.Index(fields=["callout", "state", "team"], name="em_recipient_board_counts"),
            models.Index(fields=["state", "sent_at"]),
            # The board's latest answers: the first 100 in index order, not a sort of all.
            models.Index(
                fields=["callout", "-answered_at", "rank"], name="em_recipient_latest_answers"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.callout_id}:{self.volunteer_id}:{self.state}"
