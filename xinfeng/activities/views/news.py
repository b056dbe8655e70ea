"""News and announcements, their Atom feed for the media center, the practice calendar
(文明实践日历) as a page and an iCalendar feed, and audience totals."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event, vGeo

from xinfeng.core.errors import DomainError
from xinfeng.core.publiccache import public_read
from xinfeng.places.cascade import region_cascade
from xinfeng.places.models import Site
from xinfeng.places.selectors import sites_managed_by
from xinfeng.regions.models import Region, subtree_q

from .. import selectors, services
from ..choices import ActivityState, NewsKind
from ..forms import NewsForm
from ..models import Activity
from .common import int_param, not_found, region_param


def _site_param(request) -> Site | None:
    pk = int_param(request, "site")
    return Site.objects.filter(pk=pk).first() if pk else None


@public_read("activities", "places", "projects", "regions")
@require_safe
def news_list(request):
    site, region = _site_param(request), region_param(request)
    kind = request.GET.get("kind")
    kind = kind if kind in NewsKind.values else None
    page = Paginator(selectors.published_news(site=site, region=region, kind=kind), 20).get_page(
        request.GET.get("page")
    )
    feed = reverse("activities:news_feed")
    if site:
        feed += f"?site={site.pk}"
    return render(
        request,
        "activities/news_list.html",
        {
            "page": page,
            "site": site,
            "kind": kind,
            "kinds": NewsKind.choices,
            "feed_url": feed,
            "can_write": request.user.is_authenticated
            and sites_managed_by(user=request.user).exists(),
        },
    )


@public_read("activities", "places", "projects", "regions")
@require_safe
def news_detail(request, news_id: int):
    news = selectors.news_get(news_id=news_id)
    photos = []
    report = getattr(news, "report", None) if news.activity_id else None
    if report is not None:
        photos = list(report.photos.all())
    return render(request, "activities/news_detail.html", {"news": news, "photos": photos})


@login_required
def news_new(request):
    sites = sites_managed_by(user=request.user).order_by("level", "name")
    if not sites.exists():
        return not_found(request)
    form = NewsForm(request.POST or None, request.FILES or None, sites=sites)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                news = services.news_create(actor=request.user, **data)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = exc.status
            else:
                messages.success(request, _("已发布。"))
                return redirect("activities:news_detail", news_id=news.pk)
        else:
            status = 400
    return render(request, "activities/news_form.html", {"form": form}, status=status)


class NewsFeed(Feed):
    """Atom feed of published news and announcements (all sites, or ``?site=``/``?region=``)
    for the city media center (融媒体中心) to pick up."""

    feed_type = Atom1Feed

    def get_object(self, request):
        return {"site": _site_param(request), "region": region_param(request)}

    def title(self, obj):
        place = obj["site"] or obj["region"]
        name = _("新时代文明实践 · 新闻公告")
        return f"{place} · {name}" if place else name

    def subtitle(self, obj):
        return _("新时代文明实践阵地发布的新闻与公告")

    def link(self, obj):
        return reverse("activities:news")

    def items(self, obj):
        return selectors.published_news(site=obj["site"], region=obj["region"])[:50]

    def item_title(self, item):
        prefix = _("【公告】") if item.kind == NewsKind.ANNOUNCEMENT else ""
        return prefix + item.title

    def item_description(self, item):
        return item.summary or item.body[:500]

    def item_link(self, item):
        return reverse("activities:news_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.site.name

    def item_categories(self, item):
        return [str(NewsKind(item.kind).label)]


public_feed = public_read("activities", "places", "projects", "regions")(NewsFeed())


def _calendar_filters(request):
    site, region = _site_param(request), region_param(request)
    return site, region


@public_read("activities", "places", "projects", "regions")
@require_safe
def practice_calendar(request):
    """Upcoming activities by region and site (文明实践日历), grouped by day."""
    cascade = region_cascade(request.GET, id="c-region")
    site, region = _site_param(request), cascade.selected
    rows = list(selectors.calendar_activities(region=region, site=site, days=31)[:300])
    days: dict = {}
    for a in rows:
        days.setdefault(timezone.localtime(a.starts_at).date(), []).append(a)
    ics = reverse("activities:calendar_ics")
    params = []
    if region:
        params.append(f"region={region.pk}")
    if site:
        params.append(f"site={site.pk}")
    if params:
        ics += "?" + "&".join(params)
    return render(
        request,
        "activities/calendar.html",
        {
            "days": sorted(days.items()),
            "region": region,
            "site": site,
            "cascade": cascade,
            "ics_url": request.build_absolute_uri(ics),
        },
    )


@public_read("activities", "places", "projects", "regions")
@require_safe
def calendar_ics(request):
    """The practice calendar as iCalendar (RFC 5545) for calendar apps to subscribe to:
    published activities of the next 90 days; cancelled ones stay with STATUS:CANCELLED so
    subscribers drop them."""
    site, region = _calendar_filters(request)
    now = timezone.now()
    qs = Activity.objects.filter(
        state__in=[ActivityState.PUBLISHED, ActivityState.CANCELLED],
        published_at__isnull=False,
        ends_at__gt=now - timedelta(days=7),
        starts_at__lt=now + timedelta(days=90),
    ).select_related("site", "venue")
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if site is not None:
        qs = qs.filter(site=site)
    cal = Calendar()
    cal.add("prodid", "-//Xinfeng//Civilization Practice Calendar//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = _("文明实践日历")
    place = site or region
    cal.add("x-wr-calname", f"{place} · {name}" if place else name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    host = request.get_host().split(":")[0] or "xinfeng"
    for a in qs.order_by("starts_at", "id")[:2000]:
        ev = Event()
        ev.add("uid", f"activity-{a.pk}@{host}")
        ev.add("summary", a.title)
        ev.add("dtstart", a.starts_at)
        ev.add("dtend", a.ends_at)
        ev.add("dtstamp", a.updated_at)
        ev.add("last-modified", a.updated_at)
        ev.add("location", a.place_label)
        ev.add("url", request.build_absolute_uri(reverse("activities:detail", args=[a.pk])))
        ev.add("categories", [str(a.get_category_display())])
        description = a.description[:1000]
        if a.state == ActivityState.CANCELLED:
            ev.add("status", "CANCELLED")
            description = _("已取消：%(r)s") % {"r": a.cancel_reason}
        else:
            ev.add("status", "CONFIRMED")
        if description:
            ev.add("description", description)
        if a.latitude is not None:
            ev.add("geo", vGeo((a.latitude, a.longitude)))
        cal.add_component(ev)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="xinfeng-calendar.ics"'
    return response


@require_safe
def audience(request):
    """Audience totals (person-times online and offline) by region, site and month."""
    region = region_param(request)
    if region is None:
        region = Region.objects.filter(parent__isnull=True).order_by("path").first()
        # Start from the first level with several children (e.g. the county, not the province).
        while region is not None:
            children = list(Region.objects.filter(parent=region)[:2])
            if len(children) != 1:
                break
            region = children[0]
    context = {"region": region}
    if region is not None:
        context.update(
            total=selectors.audience_total(region=region),
            by_region=selectors.audience_by_region(region=region),
            by_site=selectors.audience_by_site(region=region, limit=20),
            by_month=selectors.audience_by_month(
                region=region, since=timezone.localdate() - timedelta(days=730)
            ),
            ancestors=list(region.ancestors()),
        )
    return render(request, "activities/audience.html", context)
