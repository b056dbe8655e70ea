"""Places: the administrative region tree and the practice sites on it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import TimeStampedModel
from xinfeng.regions.models import Region, subtree_q

from .choices import SITE_LEVEL_RANK, PointKind, SiteLevel

# Center → institute → station → point is four levels; the walk up a site's parent chain
# stops well beyond that so corrupt data cannot loop forever.
SITE_CHAIN_LIMIT = 16


class SiteQuerySet(models.QuerySet):
    def in_regions(self, paths) -> "SiteQuerySet":
        return self.filter(subtree_q(paths, "region__path"))

    def open_at(self, when=None) -> "SiteQuerySet":
        when = when or timezone.now()
        return self.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=when),
            Q(active_until__isnull=True) | Q(active_until__gt=when),
        )


class Site(TimeStampedModel):
    """A practice site: the city center (中心), a township institute (所), a village station
    (站, possibly a merged party-service complex 综合体) or a practice point (点)."""

    name = models.CharField(_("名称"), max_length=120)
    level = models.CharField(_("层级"), max_length=20, choices=SiteLevel.choices, db_index=True)
    point_kind = models.CharField(
        _("实践点类型"), max_length=20, choices=PointKind.choices, default=PointKind.GENERAL
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="sites"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    host_unit = models.CharField(
        _("依托单位"),
        max_length=120,
        blank=True,
        help_text=_("由部门或单位建设的实践所/点填写，如“市卫健委”。"),
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    latitude = models.FloatField(
        _("纬度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("经度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    opening_hours = models.CharField(
        _("开放时间"),
        max_length=200,
        blank=True,
        help_text=_("例如：周一至周五 08:30-17:30；周六 09:00-12:00"),
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    description = models.TextField(_("简介"), blank=True)
    responsible_name = models.CharField(_("负责人"), max_length=50, blank=True)
    responsible_title = models.CharField(
        _("负责人职务"), max_length=80, blank=True, help_text=_("一把手负责制，如“村党支部书记”。")
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sites_responsible",
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("管理员"),
        blank=True,
        related_name="sites_operated",
    )
    facilities = models.JSONField(_("整合资源"), default=list, blank=True)
    guiding_departments = models.JSONField(_("指导部门"), default=list, blank=True)
    is_complex = models.BooleanField(_("党群服务+文明实践综合体"), default=False)
    active_from = models.DateTimeField(_("启用时间"), null=True, blank=True)
    active_until = models.DateTimeField(_("停用时间"), null=True, blank=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("实践阵地")
        verbose_name_plural = _("实践阵地")
        ordering = ["level", "name", "id"]
        indexes = [models.Index(fields=["region", "level"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.parent_id:
            parent_error = self._parent_error()
            if parent_error:
                errors["parent"] = parent_error
        if self.is_complex and self.level != SiteLevel.STATION:
            errors["is_complex"] = _("只有实践站可以是综合体。")
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = _("经纬度需同时填写。")
        if self.active_from and self.active_until and self.active_until <= self.active_from:
            errors["active_until"] = _("停用时间必须晚于启用时间。")
        from .choices import Department, Facility

        bad = [f for f in self.facilities or [] if f not in Facility.values]
        if bad:
            errors["facilities"] = _("未知的整合资源：%(v)s") % {"v": ", ".join(map(str, bad))}
        bad = [d for d in self.guiding_departments or [] if d not in Department.values]
        if bad:
            errors["guiding_departments"] = _("未知的指导部门：%(v)s") % {
                "v": ", ".join(map(str, bad))
            }
        if errors:
            raise ValidationError(errors)

    def _parent_error(self):
        """Why ``self.parent`` cannot be this site's parent, or ``None``.

        Walks up the parent chain: a site may not sit below itself or below one of its own
        descendants. The walk is bounded so corrupt data cannot loop forever.
        """
        if self.pk is not None and self.parent_id == self.pk:
            return _("上级阵地不能是本阵地。")
        node, steps = self.parent, 0
        while node is not None and steps < SITE_CHAIN_LIMIT:
            if self.pk is not None and node.pk == self.pk:
                return _("上级阵地不能是本阵地的下级阵地（会形成循环）。")
            node, steps = node.parent, steps + 1
        if node is not None:
            return _("上级阵地层级过深。")
        if self.level in SITE_LEVEL_RANK and (
            SITE_LEVEL_RANK[self.parent.level] >= SITE_LEVEL_RANK[self.level]
        ):
            return _("上级阵地的层级必须高于本阵地。")
        if self.region_id and not self.region.is_within(self.parent.region):
            return _("上级阵地必须位于本阵地所在区划或其上级区划。")
        return None

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return (self.active_from is None or self.active_from <= now) and (
            self.active_until is None or self.active_until > now
        )

    def facility_labels(self) -> list[str]:
        from .choices import Facility

        return [str(Facility(f).label) for f in self.facilities if f in Facility.values]

    def department_labels(self) -> list[str]:
        from .choices import Department

        return [
            str(Department(d).label) for d in self.guiding_departments if d in Department.values
        ]


class Venue(TimeStampedModel):
    """A room or space at a site, with the uses it serves (一室多用) and its capacity."""

    site = models.ForeignKey(
        Site, verbose_name=_("阵地"), on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(_("名称"), max_length=100)
    uses = models.JSONField(_("用途"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("容纳人数"), validators=[MinValueValidator(1)])
    opens_at = models.TimeField(_("每日开放"), null=True, blank=True)
    closes_at = models.TimeField(_("每日关闭"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("可用"), default=True)

    class Meta:
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        ordering = ["site_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.site.name} · {self.name}"

    def clean(self):
        from .choices import VenueUse

        bad = [u for u in self.uses or [] if u not in VenueUse.values]
        if bad:
            raise ValidationError(
                {"uses": _("未知的用途：%(v)s") % {"v": ", ".join(map(str, bad))}}
            )
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError({"closes_at": _("开放与关闭时间需同时填写。")})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("关闭时间必须晚于开放时间。")})

    def use_labels(self) -> list[str]:
        from .choices import VenueUse

        return [str(VenueUse(u).label) for u in self.uses if u in VenueUse.values]


class PopulationPoint(models.Model):
    """A weighted point of the population layer: about ``weight`` residents living at this
    spot of ``region``. The 15-minute-circle analysis (``places.coverage``) measures how many
    of them live within walking distance of an open practice site. Loaded from a CSV
    (``manage.py load_population``) or spread over each village by the demo."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("所在区划"),
        on_delete=models.CASCADE,
        related_name="population_points",
    )
    latitude = models.FloatField(
        _("纬度"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("经度"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    weight = models.FloatField(_("人口权重"), validators=[MinValueValidator(0)])
    source = models.CharField(_("来源"), max_length=60, blank=True, db_index=True)

    class Meta:
        verbose_name = _("人口点")
        verbose_name_plural = _("人口点")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.region_id} ({self.latitude:.5f}, {self.longitude:.5f}) ×{self.weight:g}"
