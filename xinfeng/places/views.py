from django.core.paginator import Paginator
from django.shortcuts import render

from xinfeng.core.errors import NotFound

from . import selectors
from .cascade import region_cascade
from .choices import SiteLevel


def site_directory(request):
    """Phone-first directory of practice sites, filterable by region, level and text."""
    cascade = region_cascade(request.GET)
    region = cascade.selected
    level = request.GET.get("level") or None
    if level not in SiteLevel.values:
        level = None
    q = (request.GET.get("q") or "").strip()[:50]
    qs = selectors.site_list(region=region, level=level, q=q or None).order_by(
        selectors.level_rank(), "name", "id"
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "region": region,
        "level": level,
        "q": q,
        "levels": SiteLevel.choices,
        "cascade": cascade,
    }
    template = "places/_site_rows.html" if request.htmx else "places/site_directory.html"
    return render(request, template, context)


def site_detail(request, site_id: int):
    try:
        site = selectors.site_get(site_id=site_id)
    except NotFound:
        return render(request, "404.html", status=404)
    venues = site.venues.filter(is_active=True).order_by("name")
    return render(request, "places/site_detail.html", {"site": site, "venues": venues})
