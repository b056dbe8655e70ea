"""Activities, sign-ups, attendance, online views, venue bookings, reports and news."""

from .activity import Activity, ActivityEvent, ActivitySiteSettings
from .attendance import Attendance, OnlineView, Signup
from .news import ActivityReport, News, ReportPhoto
from .rooms import VenueBooking

__all__ = [
    "Activity",
    "ActivityEvent",
    "ActivityReport",
    "ActivitySiteSettings",
    "Attendance",
    "News",
    "OnlineView",
    "ReportPhoto",
    "Signup",
    "VenueBooking",
]
