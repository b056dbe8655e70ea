"""Activities API under /api/v1/activities/: the public list and detail and audience
totals; organiser endpoints (scoped with ``accounts.scope``: an activity outside the
caller's scope answers 404). Sign-up, check-in and online views are in ``taking_part``;
hours in ``hours``; room bookings, news and reports in ``rooms_news``.

Lists use keyset pagination (``cursor``, ``limit``); with ``near_*`` the list is sorted by
distance instead and returns at most ``limit`` rows.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile

from xinfeng.accounts.api_auth import signed_in
from xinfeng.core.errors import NotFound, ValidationFailed
from xinfeng.core.pagination import keyset_page
from xinfeng.core.publiccache import public_read
from xinfeng.core.schema import DbId, Limit, QueryDate, SearchText
from xinfeng.core.serialise import Derived, ListRows, file_url
from xinfeng.places.models import Site, Venue
from xinfeng.regions.models import Region
from xinfeng.volunteers.choices import ServiceCategory
from xinfeng.volunteers.models import Team

from .. import selectors, services
from ..choices import ActivityState
from ..live import API_COUNTS
from ..models import Activity, News, Signup
from ..permissions import can_organise, can_review
from ..schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityPatch,
    ActivityReasonIn,
    AttendancePage,
    AudienceMonthOut,
    AudienceOut,
    AudienceRegionOut,
    AudienceSiteOut,
    BookingOut,
    CheckinCodeOut,
    HeadcountIn,
    NewsOut,
    NewsPage,
    SignupPage,
)

router = Router(tags=["activities"])


def _place(row: dict) -> str:
    """``Activity.place_label`` of a ``values()`` row."""
    if row["address"]:
        return row["address"]
    if row["venue_id"]:
        return f"{row['site__name']} · {row['venue__name']}"
    return row["site__name"]


def _distance(row: dict) -> int | None:
    d = row.get("distance_m")
    return None if d is None else round(d)


# The public lists' rows, read with values() (``core.serialise``).
ACTIVITY_ROWS = ListRows(
    ActivityOut,
    Activity,
    derived={
        "place": Derived(_place, "address", "venue_id", "site__name", "venue__name"),
        "cover_url": file_url(Activity, "cover"),
        "places_left": Derived(
            lambda r: max(r["capacity"] - r["signup_count"], 0), "capacity", "signup_count"
        ),
        "audience_total": Derived(
            lambda r: r["checkin_count"] + r["extra_headcount"] + r["online_viewers"],
            "checkin_count",
            "extra_headcount",
            "online_viewers",
        ),
        "distance_m": Derived(_distance),
    },
)
NEWS_ROWS = ListRows(NewsOut, News, derived={"cover_url": file_url(News, "cover")})

MAX_RADIUS_M = 50_000


def _region(region_id: int | None) -> Region | None:
    if region_id is None:
        return None
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound()
    return region


def _site(site_id: int | None) -> Site | None:
    if site_id is None:
        return None
    site = Site.objects.select_related("region", "parent").filter(pk=site_id).first()
    if site is None:
        raise NotFound()
    return site


def _fk(model, pk, label):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed(_("%(label)s不存在。") % {"label": label}, code="unknown_ref")
    return obj


def _refs(data: dict) -> dict:
    """Turn ``*_id`` fields of a body into objects (unknown ones are a 400)."""
    from xinfeng.projects.models import Project

    for key, model, label in (
        ("venue_id", Venue, _("场所")),
        ("team_id", Team, _("队伍")),
        ("project_id", Project, _("服务项目")),
    ):
        if key in data:
            data[key[:-3]] = _fk(model, data.pop(key), label)
    return data


def _managed(request, activity_id: int):
    return selectors.activity_get_managed(user=request.auth, activity_id=activity_id)


# Public reads -----------------------------------------------------------------------
@router.get("/", response=ActivityPage, auth=None, summary="Published activities (public)")
@public_read("activities", "places", "projects", "regions", any_caller=True, live=API_COUNTS)
def list_activities(
    request,
    region_id: DbId | None = None,
    site_id: DbId | None = None,
    category: ServiceCategory | None = None,
    day: QueryDate | None = None,
    q: SearchText | None = None,
    near_lat: float | None = None,
    near_lng: float | None = None,
    near_region_id: DbId | None = None,
    radius_m: int = 5000,
    include_past: bool = False,
    cursor: str | None = None,
    limit: Limit = 50,
):
    near = None
    if near_region_id is not None:
        village = _region(near_region_id)
        if village.latitude is None:
            raise ValidationFailed(_("该区划没有坐标。"), code="no_coordinates")
        near_lat, near_lng = village.latitude, village.longitude
    if (near_lat is None) != (near_lng is None):
        raise ValidationFailed(_("near_lat 与 near_lng 需同时提供。"), code="near_incomplete")
    if near_lat is not None:
        if not (-90 <= near_lat <= 90 and -180 <= near_lng <= 180):
            raise ValidationFailed(_("位置坐标无效。"), code="bad_location")
        if not (1 <= radius_m <= MAX_RADIUS_M):
            raise ValidationFailed(
                _("半径须在 1 到 %(m)d 米之间。") % {"m": MAX_RADIUS_M}, code="bad_radius"
            )
        near = selectors.Near(near_lat, near_lng, radius_m)
    qs = selectors.public_activities(
        region=_region(region_id),
        site=_site(site_id),
        category=category,
        day=day,
        q=q or None,
        upcoming=not include_past,
        near=near,
    )
    if near is not None:
        rows = selectors.sort_by_distance(ACTIVITY_ROWS.values(qs)[:2000], near)[:limit]
        return ACTIVITY_ROWS.response({"items": ACTIVITY_ROWS.rows(rows), "next_cursor": None})
    return ACTIVITY_ROWS.page(qs, cursor=cursor, limit=limit, ordering=("starts_at", "id"))


@router.get("/audience/total", response=AudienceOut, auth=None)
def audience_total(request, region_id: DbId | None = None, site_id: DbId | None = None):
    """Audience person-times: offline (check-ins + headcount) and online (viewers)."""
    return selectors.audience_total(region=_region(region_id), site=_site(site_id))


@router.get("/audience/by-site", response=list[AudienceSiteOut], auth=None)
def audience_by_site(request, region_id: DbId | None = None, limit: Limit = 50):
    return selectors.audience_by_site(region=_region(region_id), limit=limit)


@router.get("/audience/by-region", response=list[AudienceRegionOut], auth=None)
def audience_by_region(request, region_id: DbId):
    """Totals of each child region of ``region_id`` (its whole subtree each)."""
    return selectors.audience_by_region(region=_region(region_id))


@router.get("/audience/by-month", response=list[AudienceMonthOut], auth=None)
def audience_by_month(
    request,
    region_id: DbId | None = None,
    site_id: DbId | None = None,
    since: QueryDate | None = None,
):
    return selectors.audience_by_month(region=_region(region_id), site=_site(site_id), since=since)


@router.get("/news", response=NewsPage, auth=None, summary="Published news and announcements")
def list_news(
    request,
    site_id: DbId | None = None,
    region_id: DbId | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: Limit = 20,
):
    qs = selectors.published_news(site=_site(site_id), region=_region(region_id), kind=kind)
    return NEWS_ROWS.page(qs, cursor=cursor, limit=limit, ordering=("-published_at", "-id"))


@router.get("/news/{news_id}", response=NewsOut, auth=None)
def get_news(request, news_id: DbId):
    return selectors.news_get(news_id=news_id)


@router.get("/venues/{venue_id}/bookings", response=list[BookingOut], auth=None)
def venue_bookings(request, venue_id: DbId, start: QueryDate | None = None, days: int = 7):
    """Confirmed bookings of a room from ``start`` (default: this week) for ``days`` days."""
    if not (1 <= days <= 62):
        raise ValidationFailed(_("天数须在 1 到 62 之间。"), code="bad_days")
    venue = selectors.venue_get(venue_id=venue_id)
    first = start or selectors.week_start(timezone.localdate())
    begin = selectors.day_bounds(first)[0]
    return selectors.venue_bookings(
        venue=venue, start=begin, end=begin + timedelta(days=days), user=request.user
    )


# Organiser reads --------------------------------------------------------------------
@router.get(
    "/manage", response=ActivityPage, summary="Activities in my scope (any state)", auth=signed_in
)
def list_managed(
    request,
    state: ActivityState | None = None,
    site_id: DbId | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    qs = selectors.activities_managed_by(user=request.auth)
    if state:
        qs = qs.filter(state=state)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-starts_at", "-id"))
    return {"items": items, "next_cursor": nxt}


@router.get(
    "/review", response=ActivityPage, summary="Submitted activities I review", auth=signed_in
)
def list_to_review(request, cursor: str | None = None, limit: Limit = 50):
    qs = selectors.activities_to_review(user=request.auth)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("starts_at", "id"))
    return {"items": items, "next_cursor": nxt}


@router.get("/my/signups", response=SignupPage, summary="My sign-ups", auth=signed_in)
def my_signups(request, cursor: str | None = None, limit: Limit = 50):
    qs = Signup.objects.filter(user=request.auth).select_related("user")
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("-id",))
    return {"items": items, "next_cursor": nxt}


@router.get("/{activity_id}", response=ActivityOut, auth=None)
def get_activity(request, activity_id: DbId):
    """A published or finished activity; drafts only to their organisers and reviewers."""
    return selectors.activity_get_public(activity_id=activity_id, user=request.user)


@router.get("/{activity_id}/signups", response=SignupPage, auth=signed_in)
def list_signups(
    request,
    activity_id: DbId,
    state: str | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
):
    activity = _managed(request, activity_id)
    qs = Signup.objects.filter(activity=activity).select_related("user")
    if state:
        qs = qs.filter(state=state)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": items, "next_cursor": nxt}


@router.get("/{activity_id}/attendances", response=AttendancePage, auth=signed_in)
def list_attendances(request, activity_id: DbId, cursor: str | None = None, limit: Limit = 100):
    activity = _managed(request, activity_id)
    qs = selectors.attendances_of(activity)
    items, nxt = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))
    return {"items": items, "next_cursor": nxt}


@router.get("/{activity_id}/checkin-code", response=CheckinCodeOut, auth=signed_in)
def checkin_code(request, activity_id: DbId):
    """The 6-digit code and the QR-code URL (with its signed token), for organisers."""
    activity = _managed(request, activity_id)
    url = request.build_absolute_uri(
        reverse("activities:scan", args=[activity.pk]) + "?t=" + services.qr_token(activity)
    )
    return {"code": activity.checkin_code, "qr_url": url}


@router.post("/{activity_id}/checkin-code/renew", response=CheckinCodeOut, auth=signed_in)
def renew_checkin_code(request, activity_id: DbId):
    """New code and QR token; the old ones stop working."""
    activity = services.checkin_codes_renew(
        actor=request.user, activity=_managed(request, activity_id)
    )
    url = request.build_absolute_uri(
        reverse("activities:scan", args=[activity.pk]) + "?t=" + services.qr_token(activity)
    )
    return {"code": activity.checkin_code, "qr_url": url}


@router.get("/{activity_id}/audience", response=AudienceOut, auth=None)
def activity_audience(request, activity_id: DbId):
    a = selectors.activity_get_public(activity_id=activity_id, user=request.user)
    return {
        "activities": 1,
        "offline": a.offline_audience,
        "online": a.online_viewers,
        "total": a.audience_total,
    }


# Organiser writes -------------------------------------------------------------------
@router.post(
    "/", response={201: ActivityOut}, summary="Create a draft activity (site staff)", auth=signed_in
)
def create_activity(request, payload: ActivityIn):
    data = _refs(payload.dict())
    site = _site(data.pop("site_id"))
    activity = services.activity_create(actor=request.auth, site=site, **data)
    return Status(201, selectors.activity_get_public(activity_id=activity.pk, user=request.user))


@router.patch("/{activity_id}", response=ActivityOut, auth=signed_in)
def update_activity(request, activity_id: DbId, payload: ActivityPatch):
    activity = _managed(request, activity_id)
    data = _refs(payload.dict(exclude_unset=True))
    services.activity_update(actor=request.user, activity=activity, **data)
    return selectors.activity_get_public(activity_id=activity_id, user=request.user)


def _transition(request, activity_id: int, action: str, reason: str | None = None):
    user = request.auth
    activity = selectors.activity_get_public(activity_id=activity_id, user=user)
    if not (can_organise(user, activity) or can_review(user, activity)):
        raise NotFound()
    fn = getattr(services, f"activity_{action}")
    kwargs = {"reason": reason} if reason is not None else {}
    fn(actor=user, activity=activity, **kwargs)
    return selectors.activity_get_public(activity_id=activity_id, user=user)


@router.post(
    "/{activity_id}/submit", response=ActivityOut, summary="Submit (or publish)", auth=signed_in
)
def submit_activity(request, activity_id: DbId):
    """Submit for review when the site requires it; otherwise this publishes."""
    return _transition(request, activity_id, "submit")


@router.post("/{activity_id}/publish", response=ActivityOut, auth=signed_in)
def publish_activity(request, activity_id: DbId):
    return _transition(request, activity_id, "publish")


@router.post(
    "/{activity_id}/approve", response=ActivityOut, summary="Approve (level above)", auth=signed_in
)
def approve_activity(request, activity_id: DbId):
    return _transition(request, activity_id, "approve")


@router.post(
    "/{activity_id}/reject", response=ActivityOut, summary="Send back (level above)", auth=signed_in
)
def reject_activity(request, activity_id: DbId, payload: ActivityReasonIn):
    return _transition(request, activity_id, "reject", payload.reason)


@router.post(
    "/{activity_id}/cancel", response=ActivityOut, summary="Cancel with a reason", auth=signed_in
)
def cancel_activity(request, activity_id: DbId, payload: ActivityReasonIn):
    return _transition(request, activity_id, "cancel", payload.reason)


@router.post("/{activity_id}/finish", response=ActivityOut, auth=signed_in)
def finish_activity(request, activity_id: DbId):
    return _transition(request, activity_id, "finish")


@router.post("/{activity_id}/headcount", response=ActivityOut, auth=signed_in)
def set_headcount(request, activity_id: DbId, payload: HeadcountIn):
    """The organiser's count of people present who did not check in."""
    activity = _managed(request, activity_id)
    return services.activity_set_headcount(
        actor=request.user, activity=activity, headcount=payload.headcount
    )


@router.post("/{activity_id}/cover", response=ActivityOut, auth=signed_in)
def upload_cover(request, activity_id: DbId, cover: File[UploadedFile]):
    activity = _managed(request, activity_id)
    services.activity_update(actor=request.user, activity=activity, cover=cover)
    return selectors.activity_get_public(activity_id=activity_id, user=request.user)
