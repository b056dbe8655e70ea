from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from xinfeng.core.publiccache import public_read

from . import coverage, nearby, selectors
from .cascade import region_cascade
from .choices import SiteLevel

# Sites listed under 离我最近.
NEAREST = 20
# The columns a directory row shows (read with values(): no model instances).
ROW_COLUMNS = ("id", "name", "level", "is_complex", "region__name", "address")


def _rows(rows: list[dict]) -> list[dict]:
    """Directory rows with what the template shows: the level's label (translated once),
    the region's name and the detail link (``pk`` is what slot fillers read)."""
    labels = {value: str(label) for value, label in SiteLevel.choices}
    base = reverse("places:site_directory")
    for row in rows:
        row["pk"] = row["id"]
        row["level_label"] = labels.get(row["level"], row["level"])
        row["region_name"] = row["region__name"]
        row["url"] = f"{base}{row['id']}/"
    return rows


@public_read("places", "regions", "workplans")  # workplans: the 示范点 badge slot
@require_safe
def site_directory(request):
    """Phone-first directory of practice sites, filterable by region, level and text."""
    cascade = region_cascade(request.GET)
    region = cascade.selected
    level = request.GET.get("level") or None
    if level not in SiteLevel.values:
        level = None
    q = (request.GET.get("q") or "").strip()[:50]
    qs = selectors.site_list(region=region, level=level, q=q or None)
    near = request.GET.get("near") == "1"
    origin = None
    nearest = None
    if near:
        # 离我最近: the browser's position (lat/lng), or the home village when the person
        # refused it or has no GPS (no lat/lng sent).
        origin = nearby.origin_for(
            lat=request.GET.get("lat"), lng=request.GET.get("lng"), user=request.user
        )
        if origin is not None:
            nearest = nearby.nearest_sites(qs, origin=origin, limit=NEAREST)
    page = Paginator(
        qs.order_by(selectors.level_rank(), "name", "id").values(*ROW_COLUMNS), 30
    ).get_page(request.GET.get("page"))
    if not near:  # 离我最近 shows the nearest sites only
        page.object_list = _rows(list(page.object_list))
    context = {
        "page": page,
        "region": region,
        "level": level,
        "q": q,
        "levels": SiteLevel.choices,
        "cascade": cascade,
        "near": near,
        "origin": origin,
        "nearest": nearest,
        "walk_minutes": f"{coverage.walk_minutes():g}",
        "near_labels": {
            "locating": _("正在获取您的位置……"),
            "refused": _("未能获取位置，改按您的居住地排序……"),
        },
    }
    template = "places/_site_rows.html" if request.htmx else "places/site_directory.html"
    return render(request, template, context)


# activities, governance, workplans: the page's slots (venue calendars, the responsible
# person, the 示范点 badge)
# Not "activities": its slot on this page shows links and the site's venues (places), no
# activity data — and under load sign-ups and check-ins write the activities tables many
# times a second, which made every site page a miss (12 ms each instead of ~0.4). A test
# (tests/activities/test_public_read_queries.py) fails if activities' data reaches the page.
@public_read("places", "regions", "governance", "workplans")
@require_safe
def site_detail(request, site_id: int):
    site = selectors.site_get(site_id=site_id)
    venues = site.venues.filter(is_active=True).order_by("name")
    return render(request, "places/site_detail.html", {"site": site, "venues": venues})
