"""The service order (四单制): what a resident asked for, where, when, and every step since.

Step timestamps (``submitted_at`` … ``rated_at``) and deadlines (``*_due_at``) are explicit
fields: dispatch scoring and the dashboards read response times and on-time rates from them.
``due_at`` is the deadline of the current step, indexed, so the worker finds overdue orders
in one query.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import TimeStampedModel
from xinfeng.places.models import Site
from xinfeng.projects.models import Project
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.models import ServiceRecord, Team, Volunteer

from .choices import (
    AssignmentStatus,
    FollowUpStatus,
    OrderChannel,
    OrderState,
    RatingLevel,
)


class Order(TimeStampedModel):
    """One service order: a resident's need (from the project menu or in free text), where
    and when it should be met, the site responsible for it, the team that serves it, and
    the time of every step. Its state only changes through ``orders.services``."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    category = models.CharField(
        _("服务类别"), max_length=20, choices=ServiceCategory.choices, blank=True
    )
    title = models.CharField(_("需求"), max_length=120)
    description = models.TextField(_("需求描述"), blank=True)
    channel = models.CharField(
        _("来源"), max_length=20, choices=OrderChannel.choices, default=OrderChannel.RESIDENT
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("点单人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders_requested",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders_created",
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, null=True, blank=True)
    # Where
    region = models.ForeignKey(
        Region, verbose_name=_("服务地点区划"), on_delete=models.PROTECT, related_name="orders"
    )
    address = models.CharField(_("详细地址"), max_length=255, blank=True)
    latitude = models.FloatField(
        _("纬度"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("经度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    beneficiary_age = models.PositiveSmallIntegerField(
        _("服务对象年龄"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(150)],
        help_text=_("项目限定服务对象（如老年人、少年儿童）时必填。"),
    )
    # When
    wanted_from = models.DateTimeField(_("期望开始"), null=True, blank=True)
    wanted_until = models.DateTimeField(_("期望结束"), null=True, blank=True)
    # Who is responsible and who serves
    site = models.ForeignKey(
        Site, verbose_name=_("责任阵地"), on_delete=models.PROTECT, related_name="orders"
    )
    escalation_level = models.PositiveSmallIntegerField(_("上报级数"), default=0)
    state = models.CharField(
        _("状态"), max_length=20, choices=OrderState.choices, default=OrderState.SUBMITTED
    )
    is_open = models.BooleanField(_("开放抢单"), default=False)
    team = models.ForeignKey(
        Team,
        verbose_name=_("承接队伍"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    members_needed = models.PositiveSmallIntegerField(
        _("需要队员数"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("开始服务前至少需要这么多名队员本人确认参加。"),
    )
    dispatch_reason = models.CharField(_("派单理由"), max_length=300, blank=True)
    dispatch_score = models.JSONField(_("派单评分"), null=True, blank=True)
    # Step times
    submitted_at = models.DateTimeField(_("点单时间"), db_index=True)
    reviewed_at = models.DateTimeField(_("审单时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始服务时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    # Deadlines of each step, and of the current one
    review_due_at = models.DateTimeField(_("审单截止"), null=True, blank=True)
    dispatch_due_at = models.DateTimeField(_("派单截止"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("接单截止"), null=True, blank=True)
    start_due_at = models.DateTimeField(_("开始服务截止"), null=True, blank=True)
    rate_due_at = models.DateTimeField(_("评价截止"), null=True, blank=True)
    due_at = models.DateTimeField(_("当前步骤截止"), null=True, blank=True)
    overdue_count = models.PositiveSmallIntegerField(_("超时次数"), default=0)
    # Outcome
    report = models.TextField(_("服务报告"), blank=True)
    people_served = models.PositiveIntegerField(_("服务人数"), null=True, blank=True)
    rating_level = models.PositiveSmallIntegerField(
        _("评价"), choices=RatingLevel.choices, null=True, blank=True
    )
    rating_is_auto = models.BooleanField(_("系统自动评价"), default=False)

    class Meta:
        verbose_name = _("服务订单")
        verbose_name_plural = _("服务订单")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="order_idempotency_per_creator",
            ),
            models.CheckConstraint(
                condition=Q(members_needed__gte=1, members_needed__lte=50),
                name="order_members_needed_range",
            ),
            models.CheckConstraint(
                condition=Q(rating_level__isnull=True)
                | Q(rating_level__gte=1, rating_level__lte=5),
                name="order_rating_level_range",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="order_state_due"),
            models.Index(fields=["requester", "id"], name="order_requester_id"),
            models.Index(fields=["site", "state", "id"], name="order_site_state_id"),
            models.Index(fields=["team", "state"], name="order_team_state"),
            # Newest-first pages of one reason to see an order (selectors.order_page).
            models.Index(fields=["team", "id"], name="order_team_id"),
            models.Index(fields=["created_by", "id"], name="order_created_by_id"),
            models.Index(fields=["region", "id"], name="order_region_id"),
            models.Index(fields=["state", "is_open"], name="order_state_open"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.due_at is not None and self.due_at < timezone.now()


class OrderEvent(models.Model):
    """One step in an order's history: the move, from which state to which, who made it
    (``None`` for the system), why, and when. Append-only; the timeline is these rows."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, choices=OrderState.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=OrderState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("队伍"), null=True, blank=True, on_delete=models.SET_NULL
    )
    site = models.ForeignKey(
        Site, verbose_name=_("阵地"), null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("订单记录")
        verbose_name_plural = _("订单记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.action} {self.from_state}→{self.to_state}"

    @property
    def action_label(self) -> str:
        from .choices import OrderAction

        try:
            return str(OrderAction(self.action).label)
        except ValueError:
            return self.action


class OrderAssignment(models.Model):
    """A volunteer the team leader named for an order, and their answer. Only confirmed
    members serve; check-in and check-out times become a ServiceRecord."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="order_assignments"
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.INVITED,
    )
    invited_at = models.DateTimeField(_("指派时间"))
    answered_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    service_record = models.ForeignKey(
        ServiceRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("服务队员")
        verbose_name_plural = _("服务队员")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "volunteer"], name="one_assignment_per_order")
        ]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.volunteer_id} {self.status}"


def order_photo_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"orders/{instance.order_id}/{instance.uploaded_at:%Y%m%d%H%M%S%f}.{ext}"


class OrderPhoto(models.Model):
    """A photo in the completion report (checked: an image of an allowed type and size)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to=order_photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("服务照片")
        verbose_name_plural = _("服务照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class OrderRating(models.Model):
    """The resident's rating of a finished order (评单). The rater is kept for staff only;
    the team never sees who rated. ``is_auto`` marks a rating the system gave when nobody
    rated within the project's limit."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="rating")
    level = models.PositiveSmallIntegerField(_("总体评价"), choices=RatingLevel.choices)
    dimensions = models.JSONField(_("分项评价"), default=dict, blank=True)
    comment = models.CharField(_("评价内容"), max_length=500, blank=True)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_auto = models.BooleanField(_("系统自动评价"), default=False)
    created_at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_range"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.level}"


class FollowUp(models.Model):
    """A follow-up visit (回访) after a low rating: the responsible site's operator contacts
    the resident and records what was found and done."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="follow_up")
    site = models.ForeignKey(
        Site, verbose_name=_("负责阵地"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    opened_at = models.DateTimeField(_("创建时间"))
    outcome = models.TextField(_("回访结果"), blank=True)
    resolved = models.BooleanField(_("问题已解决"), default=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("回访时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "site"])]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.status}"
