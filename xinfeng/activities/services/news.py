"""News and announcements, activity reports with photos, and publishing a report as news."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.accounts.scope import require_role_at
from xinfeng.core.errors import Conflict, ValidationFailed
from xinfeng.core.validation import full_clean_or_raise
from xinfeng.places.models import Site

from ..choices import NewsKind
from ..models import Activity, ActivityReport, News, ReportPhoto
from ..permissions import require_organiser
from ..policy import may_report
from ._common import check_image

MAX_PHOTOS = 12


@transaction.atomic
def news_create(
    *,
    actor,
    site: Site,
    kind: str,
    title: str,
    body: str,
    summary: str = "",
    cover=None,
    publish: bool = True,
) -> News:
    """Write a news item or announcement for a site (staff of its region)."""
    require_role_at(actor, site.region)
    news = News(
        site=site,
        region_id=site.region_id,
        kind=kind,
        title=(title or "").strip(),
        body=(body or "").strip(),
        summary=(summary or "").strip(),
        author=actor,
        published_at=timezone.now() if publish else None,
    )
    if cover:
        check_image(cover)
        news.cover = cover
    full_clean_or_raise(news, exclude=["region"])
    news.save()
    return news


@transaction.atomic
def news_publish(*, actor, news: News) -> News:
    require_role_at(actor, news.site.region)
    news = News.objects.select_for_update().get(pk=news.pk)
    if news.published_at is not None:
        raise Conflict(_("已发布。"), code="already_published")
    news.published_at = timezone.now()
    news.save(update_fields=["published_at", "updated_at"])
    return news


def _require_ended(activity: Activity) -> None:
    if may_report(activity):
        return
    raise Conflict(_("活动开始后才能撰写活动报道。"), code="not_started")


@transaction.atomic
def report_save(*, actor, activity: Activity, body: str, summary: str = "") -> ActivityReport:
    """Write or update the report of an activity that has taken place."""
    require_organiser(actor, activity)
    _require_ended(activity)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("请填写活动总结。"), code="missing_body")
    report, _created = ActivityReport.objects.select_for_update().get_or_create(
        activity=activity, defaults={"body": body, "summary": summary, "author": actor}
    )
    report.body, report.summary = body, (summary or "").strip()[:300]
    full_clean_or_raise(report, exclude=["activity", "news"])
    report.save()
    if report.news_id:
        News.objects.filter(pk=report.news_id).update(
            body=report.body, summary=report.summary, updated_at=timezone.now()
        )
    return report


@transaction.atomic
def report_add_photo(*, actor, report: ActivityReport, image, caption: str = "") -> ReportPhoto:
    require_organiser(actor, report.activity)
    if report.photos.count() >= MAX_PHOTOS:
        raise ValidationFailed(
            _("每篇报道最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    check_image(image)
    photo = ReportPhoto(report=report, image=image, caption=(caption or "").strip()[:120])
    full_clean_or_raise(photo, exclude=["report"])
    photo.save()
    return photo


@transaction.atomic
def report_publish_as_news(*, actor, report: ActivityReport) -> News:
    """Publish the report as a news item of the activity's site (once); the first photo
    becomes the cover."""
    activity = report.activity
    require_organiser(actor, activity)
    report = ActivityReport.objects.select_for_update().get(pk=report.pk)
    if report.news_id:
        raise Conflict(_("该报道已发布为新闻。"), code="already_published")
    first = report.photos.order_by("id").first()
    news = News.objects.create(
        site=activity.site,
        region_id=activity.region_id,
        kind=NewsKind.NEWS,
        title=activity.title,
        summary=report.summary,
        body=report.body,
        cover=first.image.name if first else "",
        activity=activity,
        author=actor,
        published_at=timezone.now(),
    )
    report.news = news
    report.save(update_fields=["news", "updated_at"])
    return news
