"""Who signed up, who came (check-in/out) and who watched online."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.volunteers.models import ServiceRecord, Volunteer

from ..choices import CheckMethod, SignupState, ViewKind
from .activity import Activity


class Signup(models.Model):
    """A person's sign-up for an activity: confirmed within capacity, or waitlisted in
    arrival order. Cancelling keeps the row; the waiting list moves up in the same lock."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_signups"
    )
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=12, choices=SignupState.choices)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["id"]
        indexes = [models.Index(fields=["activity", "state", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=models.Q(state__in=["confirmed", "waitlisted"]),
                name="one_open_signup_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.activity_id} ({self.state})"


class Attendance(models.Model):
    """A person's presence at an activity: check-in and check-out, how each was verified,
    and the service record a volunteer's check-out produced. A check-out the person forgot
    is closed at the activity's end and flagged ``auto_closed``."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_attendances"
    )
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_in_at = models.DateTimeField(_("签到时间"))
    check_in_method = models.CharField(_("签到方式"), max_length=12, choices=CheckMethod.choices)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    check_out_method = models.CharField(
        _("签退方式"), max_length=12, choices=CheckMethod.choices, blank=True
    )
    auto_closed = models.BooleanField(_("自动签退"), default=False)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("签到距离（米）"), null=True, blank=True)
    location_consent_at = models.DateTimeField(_("定位授权时间"), null=True, blank=True)
    service_record = models.OneToOneField(
        ServiceRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The organiser's confirmation of a volunteer's hours (check-in/out clipped to the
    # activity); until then the hours are pending. Confirmed without a record = no hours.
    hours_confirmed_at = models.DateTimeField(_("时长确认时间"), null=True, blank=True)
    hours_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("时长确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="one_attendance_per_person")
        ]
        indexes = [models.Index(fields=["checked_out_at", "activity"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.activity_id}"


class OnlineView(models.Model):
    """A viewer of an online activity's live stream or replay (云讲堂), counted once per
    viewer: ``viewer_key`` is ``u<user id>`` for a signed-in user or ``a<cookie>`` for an
    anonymous one, unique per activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="online_views")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewer_key = models.CharField(max_length=64)
    kind = models.CharField(_("观看方式"), max_length=10, choices=ViewKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("线上观看")
        verbose_name_plural = _("线上观看")
        constraints = [
            models.UniqueConstraint(fields=["activity", "viewer_key"], name="one_view_per_viewer")
        ]

    def __str__(self) -> str:
        return f"{self.viewer_key} @ {self.activity_id}"
