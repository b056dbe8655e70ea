"""Query parameters shared by the volunteers pages and API."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from xinfeng.core.errors import ValidationFailed


def parse_day(value: str | None, *, end: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` as the start of that day in local time (``end``: of the next day)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD。"), code="date_format") from exc
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
