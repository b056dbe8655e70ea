"""The activity itself, its per-site settings and its state history."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import TimeStampedModel
from xinfeng.places.models import Site, Venue
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.models import Team

from ..choices import PUBLIC_STATES, ActivityAction, ActivityState, Eligibility, Mode

DEFAULT_GEOFENCE_RADIUS_M = getattr(settings, "XINFENG_GEOFENCE_RADIUS_M", 300)


def new_checkin_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def new_nonce() -> str:
    return secrets.token_urlsafe(9)


class ActivitySiteSettings(models.Model):
    """How a site runs its activities: whether the level above reviews them before they are
    published, and the geofence radius and window for check-in."""

    site = models.OneToOneField(
        Site,
        verbose_name=_("阵地"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="activity_settings",
    )
    requires_review = models.BooleanField(
        _("发布前需上级审核"),
        default=False,
        help_text=_("开启后，本阵地的活动须经上一级阵地审核通过才能发布。"),
    )
    geofence_radius_m = models.PositiveIntegerField(
        _("定位签到半径（米）"),
        default=DEFAULT_GEOFENCE_RADIUS_M,
        validators=[MinValueValidator(20), MaxValueValidator(5000)],
    )
    checkin_opens_minutes = models.PositiveIntegerField(
        _("开始前多少分钟可签到"),
        default=60,
        validators=[MaxValueValidator(24 * 60)],
    )

    class Meta:
        verbose_name = _("阵地活动设置")
        verbose_name_plural = _("阵地活动设置")

    def __str__(self) -> str:
        return str(self.site)

    @classmethod
    def for_site(cls, site: Site) -> "ActivitySiteSettings":
        """The stored settings, or unsaved defaults when the site has none."""
        found = cls.objects.filter(site=site).first()
        return found or cls(site=site)


class Activity(TimeStampedModel):
    """A scheduled civilization-practice activity (文明实践活动) run by a site: at one of its
    rooms, outdoors at an address, online (e.g. the monthly 云讲堂 lecture), or both.

    ``region`` and the coordinates are copied from the site (or the outdoor address) so that
    lists, scope and distance filters read one table. The counters are kept by the services
    under the activity's row lock and are what lists and totals read.
    """

    title = models.CharField(_("活动名称"), max_length=120)
    description = models.TextField(_("活动介绍"), blank=True)
    category = models.CharField(
        _("活动类别"), max_length=20, choices=ServiceCategory.choices, db_index=True
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("所属服务项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("主办阵地"), on_delete=models.PROTECT, related_name="activities"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="activities",
        editable=False,
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("场所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    address = models.CharField(
        _("户外地址"), max_length=255, blank=True, help_text=_("不在阵地场所举办时填写。")
    )
    latitude = models.FloatField(
        _("纬度"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("经度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(
        _("名额"),
        validators=[MinValueValidator(1, _("名额至少为 1。")), MaxValueValidator(100000)],
    )
    eligibility = models.CharField(
        _("报名对象"), max_length=12, choices=Eligibility.choices, default=Eligibility.EVERYONE
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("指定队伍"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    mode = models.CharField(_("形式"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    stream_url = models.URLField(_("直播地址"), blank=True)
    replay_url = models.URLField(_("回放地址"), blank=True)
    is_cloud_lecture = models.BooleanField(_("云讲堂"), default=False)
    cover = models.ImageField(_("封面图"), upload_to="activities/covers/%Y/%m/", blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=ActivityState.choices, default=ActivityState.DRAFT
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    checkin_code = models.CharField(_("签到码"), max_length=6, default=new_checkin_code)
    qr_nonce = models.CharField(max_length=16, default=new_nonce, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束处理时间"), null=True, blank=True)
    signup_count = models.PositiveIntegerField(_("已报名"), default=0)
    waitlist_count = models.PositiveIntegerField(_("候补"), default=0)
    checkin_count = models.PositiveIntegerField(_("签到人数"), default=0)
    extra_headcount = models.PositiveIntegerField(
        _("未签到现场人数"), default=0, help_text=_("组织者清点的、未扫码签到的现场观众。")
    )
    online_viewers = models.PositiveIntegerField(_("线上观看人数"), default=0)

    class Meta:
        verbose_name = _("文明实践活动")
        verbose_name_plural = _("文明实践活动")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["state", "starts_at", "id"]),
            models.Index(fields=["region", "starts_at"]),
            models.Index(fields=["site", "starts_at"]),
            models.Index(fields=["state", "ends_at"]),
            models.Index(fields=["latitude", "longitude"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="activity_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="activity_capacity"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("结束时间必须晚于开始时间。")
        if self.eligibility == Eligibility.TEAM and not self.team_id:
            errors["team"] = _("报名对象为指定队伍时，请选择队伍。")
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = _("经纬度需同时填写。")
        if self.venue_id and self.site_id and self.venue.site_id != self.site_id:
            errors["venue"] = _("场所不属于主办阵地。")
        if self.venue_id and self.address:
            errors["address"] = _("已选择场所时不必填写户外地址。")
        if self.address and self.latitude is None:
            errors["latitude"] = _("户外活动请填写地点坐标。")
        if self.state == ActivityState.CANCELLED and not self.cancel_reason:
            errors["cancel_reason"] = _("取消活动须说明原因。")
        if errors:
            raise ValidationError(errors)

    # Derived facts used by pages and the API -------------------------------------------
    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    @property
    def is_online(self) -> bool:
        return self.mode in (Mode.ONLINE, Mode.BOTH)

    @property
    def is_offline(self) -> bool:
        return self.mode in (Mode.OFFLINE, Mode.BOTH)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.signup_count, 0)

    @property
    def offline_audience(self) -> int:
        return self.checkin_count + self.extra_headcount

    @property
    def audience_total(self) -> int:
        return self.offline_audience + self.online_viewers

    @property
    def place_label(self) -> str:
        if self.address:
            return self.address
        if self.venue_id:
            return f"{self.site.name} · {self.venue.name}"
        return self.site.name


class ActivityEvent(models.Model):
    """One state change of an activity: from, to, who, why, when. Append-only."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=12, choices=ActivityAction.choices)
    from_state = models.CharField(max_length=12, choices=ActivityState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ActivityState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动流转记录")
        verbose_name_plural = _("活动流转记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.from_state}->{self.to_state}"
