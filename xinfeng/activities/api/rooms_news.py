"""Activities API, continued: a site's activity settings, room bookings by groups, news,
and activity reports with photos published as news. Registered on ``api.router``."""

from django.utils.translation import gettext as _
from ninja import File, Status
from ninja.files import UploadedFile

from xinfeng.accounts.api_auth import signed_in
from xinfeng.accounts.scope import require_role_at
from xinfeng.core.errors import NotFound
from xinfeng.core.schema import DbId
from xinfeng.volunteers.models import Team

from .. import selectors, services
from ..models import ActivityReport, ActivitySiteSettings, VenueBooking
from ..schemas import (
    ActivityReasonIn,
    BookingIn,
    BookingOut,
    NewsIn,
    NewsOut,
    ReportIn,
    ReportOut,
    SiteSettingsIn,
    SiteSettingsOut,
)
from .activities import _fk, _managed, _site, router


# Site settings ----------------------------------------------------------------------
@router.get("/sites/{site_id}/settings", response=SiteSettingsOut, auth=signed_in)
def get_site_settings(request, site_id: DbId):
    site = _site(site_id)
    require_role_at(request.auth, site.region)
    return ActivitySiteSettings.for_site(site)


@router.patch("/sites/{site_id}/settings", response=SiteSettingsOut, auth=signed_in)
def update_site_settings(request, site_id: DbId, payload: SiteSettingsIn):
    site = _site(site_id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.site_settings_update(actor=request.auth, site=site, **fields)


# Rooms ------------------------------------------------------------------------------
@router.post("/venues/{venue_id}/bookings", response={201: BookingOut}, auth=signed_in)
def create_booking(request, venue_id: DbId, payload: BookingIn):
    """Book a room for a group; 409 names the clashing booking."""
    venue = selectors.venue_get(venue_id=venue_id)
    data = payload.dict()
    team = _fk(Team, data.pop("team_id"), _("队伍"))
    return Status(201, services.booking_create(actor=request.auth, venue=venue, team=team, **data))


@router.post("/bookings/{booking_id}/cancel", response=BookingOut, auth=signed_in)
def cancel_booking(request, booking_id: DbId, payload: ActivityReasonIn):
    booking = (
        VenueBooking.objects.select_related("venue__site__region").filter(pk=booking_id).first()
    )
    if booking is None:
        raise NotFound()
    return services.booking_cancel(actor=request.auth, booking=booking, reason=payload.reason)


# News and reports -------------------------------------------------------------------
@router.post("/news", response={201: NewsOut}, auth=signed_in)
def create_news(request, payload: NewsIn):
    data = payload.dict()
    site = _site(data.pop("site_id"))
    return Status(201, services.news_create(actor=request.auth, site=site, **data))


def _report(activity) -> ActivityReport:
    report = ActivityReport.objects.filter(activity=activity).first()
    if report is None:
        raise NotFound(_("尚未撰写活动报道。"))
    return report


@router.get("/{activity_id}/report", response=ReportOut, auth=None)
def get_report(request, activity_id: DbId):
    activity = selectors.activity_get_public(activity_id=activity_id, user=request.user)
    return _report(activity)


@router.put("/{activity_id}/report", response=ReportOut, auth=signed_in)
def save_report(request, activity_id: DbId, payload: ReportIn):
    activity = _managed(request, activity_id)
    return services.report_save(
        actor=request.user, activity=activity, body=payload.body, summary=payload.summary
    )


@router.post("/{activity_id}/report/photos", response={201: ReportOut}, auth=signed_in)
def add_report_photo(request, activity_id: DbId, image: File[UploadedFile], caption: str = ""):
    activity = _managed(request, activity_id)
    report = _report(activity)
    services.report_add_photo(actor=request.user, report=report, image=image, caption=caption)
    return Status(201, report)


@router.post("/{activity_id}/report/publish", response={201: NewsOut}, auth=signed_in)
def publish_report(request, activity_id: DbId):
    """Publish the activity report as a news item of the site."""
    activity = _managed(request, activity_id)
    return Status(
        201, services.report_publish_as_news(actor=request.user, report=_report(activity))
    )
