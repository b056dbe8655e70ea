"""News and announcements of a site, and the activity reports that become news."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfeng.core.models import TimeStampedModel
from xinfeng.places.models import Site
from xinfeng.regions.models import Region

from ..choices import NewsKind
from .activity import Activity


class News(TimeStampedModel):
    """A news item or announcement of a site on the public portal; the Atom feed carries
    published items to the city media center (融媒体中心)."""

    site = models.ForeignKey(Site, verbose_name=_("发布阵地"), on_delete=models.PROTECT)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", editable=False)
    kind = models.CharField(_("类型"), max_length=14, choices=NewsKind.choices)
    title = models.CharField(_("标题"), max_length=150)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"))
    cover = models.ImageField(_("封面图"), upload_to="activities/news/%Y/%m/", blank=True)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("相关活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("新闻公告")
        verbose_name_plural = _("新闻公告")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["site", "published_at"])]

    def __str__(self) -> str:
        return self.title


class ActivityReport(TimeStampedModel):
    """What happened at an activity, written by its organisers after it, with photos; it can
    be published as a news item."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="report")
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("活动总结"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    news = models.OneToOneField(
        News, null=True, blank=True, on_delete=models.SET_NULL, related_name="report"
    )

    class Meta:
        verbose_name = _("活动报道")
        verbose_name_plural = _("活动报道")

    def __str__(self) -> str:
        return f"{self.activity}"


class ReportPhoto(models.Model):
    """A photo of an activity report."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="activities/reports/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or self.image.name
