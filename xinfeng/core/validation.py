from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import ValidationFailed


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


_text_fields: dict[type, tuple] = {}


def _texts(obj) -> tuple:
    """The model's text and JSON columns (worked out once per model)."""
    found = _text_fields.get(type(obj))
    if found is None:
        found = _text_fields[type(obj)] = tuple(
            field
            for field in obj._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        )
    return found


def _nul_errors(obj) -> dict[str, list[str]]:
    """Text containing NUL cannot be stored by PostgreSQL; report it as a field error."""
    errors = {}
    for field in _texts(obj):
        if _has_nul(getattr(obj, field.attname, None)):
            errors[field.name] = [_("含有不允许的字符。")]
    return errors


def _null_errors(obj) -> dict[str, list[str]]:
    """None in a NOT NULL text or JSON column. Django's ``full_clean`` skips blank fields
    whose value is empty, None included, so an explicit null for an optional text (a
    PATCH's ``"address": null``) would reach the database as an IntegrityError."""
    errors = {}
    for field in _texts(obj):
        if not field.null and getattr(obj, field.attname, "") is None:
            errors[field.name] = [_("不能为空值（null）；不修改时请省略此项。")]
    return errors


def full_clean_or_raise(obj, **kwargs) -> None:
    """``obj.full_clean()``, turning Django's ValidationError into a ValidationFailed whose
    message names each field by its (translated) label, for API and page alike."""
    try:
        bad = _nul_errors(obj) | _null_errors(obj)
        if bad:
            raise ValidationError(bad)
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        parts = []
        for field, msgs in exc.message_dict.items():
            if field == "__all__":
                parts.append(" ".join(msgs))
            else:
                label = str(obj._meta.get_field(field).verbose_name)
                parts.append(f"{label}: {' '.join(msgs)}")
        raise ValidationFailed("；".join(parts), fields=exc.message_dict) from exc


# ---------------------------------------------------------------------------------------
# Plausible date and time windows: the one rule every date or time a person or a program
# enters is held to — API schemas (``core.schema.PlanDateTime`` …), forms
# (``window_validator``), Open311, imports and the services (``check_window``) alike.
# Without it a typo or a probe (9999-12-31T23:00-12:00, stored as year 10000) is accepted
# and later breaks every list that shows the row.

EARLIEST = date(2000, 1, 1)
PLAN_YEARS_AHEAD = 2
BIRTH_YEARS_BACK = 120


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Window:
    """The dates a kind of value may take, as a function of today (local time)."""

    name: str
    first: Callable[[date], date]
    last: Callable[[date], date]
    message: Any  # lazy text with %(first)s and %(last)s

    def bounds(self, today: date | None = None) -> tuple[date, date]:
        today = today or timezone.localdate()
        return self.first(today), self.last(today)


# Plans: orders' wanted times, room bookings, activities, site opening dates, surveys.
PLAN = Window(
    "plan",
    lambda today: EARLIEST,
    lambda today: _years_after(today, PLAN_YEARS_AHEAD),
    gettext_lazy("应在 %(first)s 到 %(last)s 之间（不早于 2000 年，不晚于两年后）。"),
)
# Records of what happened: service hours, certificate periods.
RECORD = Window(
    "record",
    lambda today: EARLIEST,
    lambda today: today + timedelta(days=1),
    gettext_lazy("应在 %(first)s 到 %(last)s 之间（不早于 2000 年，不晚于今天）。"),
)
# Birth dates: in the past, within a human life.
BIRTH = Window(
    "birth",
    lambda today: _years_after(today, -BIRTH_YEARS_BACK),
    lambda today: today,
    gettext_lazy("应在 %(first)s 到 %(last)s 之间（过去 120 年内，不晚于今天）。"),
)
# Dates in a filter or a query string: the same span as plans.
QUERY = Window("query", PLAN.first, PLAN.last, PLAN.message)


def window_error(value, window: Window) -> str | None:
    """The message if ``value`` (a date or a datetime, naive = local time) lies outside
    ``window``, else None. Aware datetimes are compared as instants, so an offset that
    pushes a moment past year 9999 in UTC is caught too."""
    if value is None:
        return None
    first, last = window.bounds()
    try:
        if isinstance(value, datetime):
            zone = timezone.get_current_timezone()
            if timezone.is_naive(value):
                value = value.replace(tzinfo=zone)
            low = datetime.combine(first, time.min, tzinfo=zone)
            high = datetime.combine(last, time.max, tzinfo=zone)
            inside = low <= value <= high and value.utcoffset() is not None
            value.astimezone(UTC)  # raises OverflowError beyond year 9999 in UTC
        else:
            inside = first <= value <= last
    except (OverflowError, ValueError):
        inside = False
    if inside:
        return None
    return str(window.message) % {"first": first.isoformat(), "last": last.isoformat()}


def check_window(window: Window, /, **values) -> None:
    """Raise ``ValidationFailed`` (with per-field messages) for each keyword value outside
    ``window``; None is allowed (optional fields)."""
    fields = {}
    for name, value in values.items():
        error = window_error(value, window)
        if error:
            fields[name] = [error]
    if fields:
        detail = "；".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
        raise ValidationFailed(detail, code="out_of_window", fields=fields)


def window_validator(window: Window):
    """A Django form/model field validator for ``window``."""

    def validate(value):
        error = window_error(value, window)
        if error:
            raise ValidationError(error, code="out_of_window")

    validate.__name__ = f"in_{window.name}_window"
    return validate
