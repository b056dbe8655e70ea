"""Every write of the activities app. Pages and the API call these; a rule lives here once."""

from .activities import (
    activity_approve,
    activity_cancel,
    activity_create,
    activity_finish,
    activity_publish,
    activity_reject,
    activity_set_headcount,
    activity_submit,
    activity_update,
    expire_unreviewed_activities,
    finish_ended_activities,
    site_settings_update,
)
from .audience import online_view_record
from .checkin import (
    attendance_backfill,
    attendance_check_in,
    attendance_check_out,
    attendance_hours_confirm,
    checkin_codes_renew,
    close_forgotten_checkouts,
    hours_pending,
    qr_token,
)
from .news import news_create, news_publish, report_add_photo, report_publish_as_news, report_save
from .rooms import booking_cancel, booking_create
from .signups import send_reminders, signup_cancel, signup_create

__all__ = [
    "activity_approve",
    "activity_cancel",
    "activity_create",
    "activity_finish",
    "activity_publish",
    "activity_reject",
    "activity_set_headcount",
    "activity_submit",
    "activity_update",
    "attendance_backfill",
    "attendance_hours_confirm",
    "hours_pending",
    "attendance_check_in",
    "attendance_check_out",
    "booking_cancel",
    "booking_create",
    "checkin_codes_renew",
    "close_forgotten_checkouts",
    "expire_unreviewed_activities",
    "finish_ended_activities",
    "news_create",
    "news_publish",
    "online_view_record",
    "qr_token",
    "report_add_photo",
    "report_publish_as_news",
    "report_save",
    "send_reminders",
    "signup_cancel",
    "signup_create",
    "site_settings_update",
]
