"""Reads of activities. Public lists show published activities to anyone; organiser reads
are restricted to the user's staff scope with ``accounts.scope``."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import get_in_scope, restrict
from xinfeng.core.errors import NotFound
from xinfeng.places.models import Site, Venue
from xinfeng.regions.models import Region, subtree_q

from .choices import PUBLIC_STATES, ActivityState, BookingState
from .geo import bounding_box, haversine_m
from .models import Activity, Attendance, News, Signup, VenueBooking

# Columns a phone list row needs, read as plain dicts (no model instances: the list shows
# 100 rows and building instances would cost more than the rest of the request).
ROW_FIELDS = (
    "id",
    "title",
    "category",
    "starts_at",
    "capacity",
    "signup_count",
    "mode",
    "latitude",
    "longitude",
    "site__name",
)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, start + timedelta(days=1)


@dataclass
class Near:
    """A point to sort and filter by distance (the browser's location or a village)."""

    latitude: float
    longitude: float
    radius_m: float


def cloud_lectures() -> QuerySet:
    """云讲堂: the public online lectures (``is_cloud_lecture``), any date."""
    return Activity.objects.filter(state__in=PUBLIC_STATES, is_cloud_lecture=True).select_related(
        "site"
    )


def public_activities(
    *,
    region: Region | None = None,
    site: Site | None = None,
    category: str | None = None,
    day: date | None = None,
    upcoming: bool = True,
    near: Near | None = None,
    q: str | None = None,
) -> QuerySet:
    """Published (and, without ``upcoming``, finished) activities anyone may see."""
    qs = Activity.objects.filter(state__in=PUBLIC_STATES).select_related("site", "venue")
    if upcoming:
        qs = qs.filter(state=ActivityState.PUBLISHED, ends_at__gt=timezone.now())
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if site is not None:
        qs = qs.filter(site=site)
    if category:
        qs = qs.filter(category=category)
    if day is not None:
        start, end = _day_bounds(day)
        qs = qs.filter(starts_at__lt=end, ends_at__gt=start)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(site__name__icontains=q))
    if near is not None:
        lat0, lat1, lng0, lng1 = bounding_box(near.latitude, near.longitude, near.radius_m)
        qs = qs.filter(
            latitude__gte=lat0, latitude__lte=lat1, longitude__gte=lng0, longitude__lte=lng1
        )
    return qs


def sort_by_distance(rows, near: Near) -> list:
    """Keep rows (model instances or ``ROW_FIELDS`` dicts) inside the circle, nearest first
    (ties by start time); sets ``distance_m`` on each."""
    kept = []
    for row in rows:
        is_dict = isinstance(row, dict)
        lat, lng = (row["latitude"], row["longitude"]) if is_dict else (row.latitude, row.longitude)
        if lat is None:
            continue
        d = haversine_m(near.latitude, near.longitude, lat, lng)
        if d > near.radius_m:
            continue
        if is_dict:
            row["distance_m"] = d
        else:
            row.distance_m = d
        kept.append(row)

    def key(r):
        if isinstance(r, dict):
            return (round(r["distance_m"] / 100), r["starts_at"], r["id"])
        return (round(r.distance_m / 100), r.starts_at, r.pk)

    kept.sort(key=key)
    return kept


def activity_get_public(*, activity_id: int, user=None, lean: bool = False) -> Activity:
    """A published or finished activity, or one the user organises (any state); else 404.

    ``lean``: the caller only needs to know it may act on it (a service that locks and
    re-reads the row: sign-up, check-in): a public one is read without its relations and
    other columns; one that is not is read whole for the organiser and reviewer checks."""
    if lean:
        head = list(
            Activity.objects.filter(pk=activity_id)
            .only("id", "state", "published_at")
            .order_by()[:1]
        )
        if not head:
            raise NotFound()
        if _is_public(head[0]):
            return head[0]
    # ``order_by()``: one row by primary key needs no ORDER BY (compiling the model's
    # default ordering over five joined tables was a sixth of an anonymous page view).
    # An anonymous visitor's page needs the site, venue and team only; the region and the
    # parent site are for the organiser and reviewer checks of a signed-in person.
    signed_in = user is not None and user.is_authenticated
    related = ("site", "venue", "team") + (("site__parent", "region") if signed_in else ())
    found = list(Activity.objects.select_related(*related).filter(pk=activity_id).order_by()[:1])
    activity = found[0] if found else None
    if activity is None:
        raise NotFound()
    if _is_public(activity):
        return activity
    if user is not None and user.is_authenticated:
        from .permissions import can_organise, can_review

        if can_organise(user, activity) or can_review(user, activity):
            return activity
    raise NotFound()


def _is_public(activity: Activity) -> bool:
    return activity.state in PUBLIC_STATES or (
        activity.state == ActivityState.CANCELLED and activity.published_at is not None
    )


def activities_managed_by(*, user) -> QuerySet:
    """Activities in the user's staff scope, any state."""
    return restrict(
        Activity.objects.select_related("site", "venue"),
        user,
        path_field="region__path",
        roles=STAFF_ROLES,
    )


def activity_get_managed(*, user, activity_id: int) -> Activity:
    return get_in_scope(
        Activity.objects.select_related("site", "site__parent", "venue", "team", "region"),
        user,
        path_field="region__path",
        roles=STAFF_ROLES,
        pk=activity_id,
    )


def activities_to_review(*, user) -> QuerySet:
    """Submitted activities whose site's parent lies in the user's staff scope."""
    return restrict(
        Activity.objects.filter(state=ActivityState.SUBMITTED).select_related("site"),
        user,
        path_field="site__parent__region__path",
        roles=STAFF_ROLES,
    )


def signups_of(activity: Activity) -> QuerySet:
    return Signup.objects.filter(activity=activity).select_related("user").order_by("state", "id")


def attendances_of(activity: Activity) -> QuerySet:
    return Attendance.objects.filter(activity=activity).select_related("user").order_by("id")


def my_signup(user, activity: Activity) -> Signup | None:
    if not user.is_authenticated:
        return None
    return (
        Signup.objects.filter(activity=activity, user=user)
        .exclude(state="cancelled")
        .order_by("-id")
        .first()
    )


def my_attendance(user, activity: Activity) -> Attendance | None:
    if not user.is_authenticated:
        return None
    return Attendance.objects.filter(activity=activity, user=user).first()


def waitlist_position(signup: Signup) -> int:
    return Signup.objects.filter(
        activity_id=signup.activity_id, state="waitlisted", id__lte=signup.id
    ).count()


# Audience totals ----------------------------------------------------------------------
def _audience_qs(region: Region | None = None, site: Site | None = None) -> QuerySet:
    qs = Activity.objects.filter(state__in=PUBLIC_STATES)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if site is not None:
        qs = qs.filter(site=site)
    return qs


def _row(d: dict) -> dict:
    offline = (d.get("checkins") or 0) + (d.get("headcount") or 0)
    online = d.get("online") or 0
    return {
        "activities": d.get("activities") or 0,
        "offline": offline,
        "online": online,
        "total": offline + online,
    }


def audience_total(*, region: Region | None = None, site: Site | None = None) -> dict:
    """Activities and person-times (offline = check-ins + headcount; online = viewers)."""
    d = _audience_qs(region, site).aggregate(
        activities=Count("id"),
        checkins=Sum("checkin_count"),
        headcount=Sum("extra_headcount"),
        online=Sum("online_viewers"),
    )
    return _row(d)


def audience_by_site(*, region: Region | None = None, limit: int = 50) -> list[dict]:
    rows = (
        _audience_qs(region)
        .values("site_id", "site__name")
        .annotate(
            activities=Count("id"),
            checkins=Sum("checkin_count"),
            headcount=Sum("extra_headcount"),
            online=Sum("online_viewers"),
        )
        .order_by()
    )
    out = [{"site_id": r["site_id"], "name": r["site__name"], **_row(r)} for r in rows]
    out.sort(key=lambda r: (-r["total"], r["site_id"]))
    return out[:limit]


def audience_by_region(*, region: Region) -> list[dict]:
    """Totals for each child region of ``region`` (its subtree each), and a last row for
    the activities of ``region`` itself (e.g. 市直: the city center's lectures), so the rows
    add up to ``audience_total(region=region)``. One query."""
    from xinfeng.places.labels import own_label

    children = list(Region.objects.filter(parent=region).order_by("path"))
    if not children:
        return []
    qs = _audience_qs(region)
    agg = {}
    conds = [(f"{c.pk}", subtree_q([c.path], "region__path")) for c in children]
    conds.append(("own", Q(region_id=region.pk)))
    for key, cond in conds:
        agg[f"a{key}"] = Count("id", filter=cond)
        agg[f"c{key}"] = Sum("checkin_count", filter=cond)
        agg[f"h{key}"] = Sum("extra_headcount", filter=cond)
        agg[f"o{key}"] = Sum("online_viewers", filter=cond)
    d = qs.aggregate(**agg)

    def row(key):
        return _row(
            {
                "activities": d[f"a{key}"],
                "checkins": d[f"c{key}"],
                "headcount": d[f"h{key}"],
                "online": d[f"o{key}"],
            }
        )

    rows = [{"region_id": c.pk, "name": c.display_name, **row(c.pk)} for c in children]
    own = row("own")
    if own["activities"]:
        rows.append({"region_id": None, "name": own_label(region), **own})
    return rows


def audience_by_month(
    *, region: Region | None = None, site: Site | None = None, since: date | None = None
) -> list[dict]:
    qs = _audience_qs(region, site)
    if since is not None:
        qs = qs.filter(starts_at__gte=_day_bounds(since)[0])
    rows = (
        qs.annotate(month=TruncMonth("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(
            activities=Count("id"),
            checkins=Sum("checkin_count"),
            headcount=Sum("extra_headcount"),
            online=Sum("online_viewers"),
        )
        .order_by("month")
    )
    out = [{"month": r["month"].strftime("%Y-%m"), **_row(r)} for r in rows]
    if since is not None:
        # Everything before ``since`` as one row, so the months add up to the total.
        earlier = (
            _audience_qs(region, site)
            .filter(starts_at__lt=_day_bounds(since)[0])
            .aggregate(
                activities=Count("id"),
                checkins=Sum("checkin_count"),
                headcount=Sum("extra_headcount"),
                online=Sum("online_viewers"),
            )
        )
        if earlier["activities"]:
            out.insert(0, {"month": None, **_row(earlier)})
    return out


# Rooms -------------------------------------------------------------------------------
def venue_get(*, venue_id: int) -> Venue:
    venue = Venue.objects.select_related("site", "site__region").filter(pk=venue_id).first()
    if venue is None:
        raise NotFound()
    return venue


def venue_bookings(
    *, venue: Venue, start: datetime, end: datetime, user=None
) -> list[VenueBooking]:
    """Confirmed bookings of a room overlapping [start, end). A booking held by an activity
    that is not yet public (draft or in review) shows the room as taken without naming the
    activity, unless ``user`` is staff of the venue's site."""
    from django.utils.translation import gettext as _

    from xinfeng.accounts.scope import has_role_at

    rows = list(
        VenueBooking.objects.filter(
            venue=venue, state=BookingState.CONFIRMED, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("team", "activity")
        .order_by("starts_at", "id")
    )
    staff = user is not None and user.is_authenticated and has_role_at(user, venue.site.region)
    if not staff:
        for b in rows:
            if b.activity_id and b.activity.state not in PUBLIC_STATES:
                b.title = _("已预约（活动筹备中）")
                b.activity_id, b.activity = None, None
    return rows


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return _day_bounds(day)


# News and calendar --------------------------------------------------------------------
def published_news(
    *, site: Site | None = None, region: Region | None = None, kind: str | None = None
) -> QuerySet:
    qs = News.objects.filter(published_at__isnull=False, published_at__lte=timezone.now())
    if site is not None:
        qs = qs.filter(site=site)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("site").order_by("-published_at", "-id")


def news_get(*, news_id: int) -> News:
    news = published_news().filter(pk=news_id).first()
    if news is None:
        raise NotFound()
    return news


def calendar_activities(
    *, region: Region | None = None, site: Site | None = None, days: int = 60
) -> QuerySet:
    """Upcoming published activities for the practice calendar (文明实践日历)."""
    now = timezone.now()
    qs = Activity.objects.filter(
        state=ActivityState.PUBLISHED, ends_at__gt=now, starts_at__lt=now + timedelta(days=days)
    ).select_related("site", "venue")
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if site is not None:
        qs = qs.filter(site=site)
    return qs.order_by("starts_at", "id")
