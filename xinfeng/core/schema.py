"""Input types shared by every API router.

``DbId`` keeps ids inside what a 64-bit integer column holds, so an absurd id is a 422
before it reaches the database (where SQLite raises OverflowError and PostgreSQL a
DataError). ``SearchText`` bounds free-text filters.
"""

from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from .validation import BIRTH, PLAN, QUERY, RECORD, Window, window_error

DB_ID_MAX = 2**63 - 1

DbId = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Limit = Annotated[int, Field(ge=1, le=200, description="Rows per page (1–200)")]
SuggestionLimit = Annotated[int, Field(ge=1, le=50, description="How many teams (1–50)")]


def _in(window: Window):
    def check(value):
        error = window_error(value, window)
        if error:
            raise PydanticCustomError("out_of_window", error)
        return value

    return AfterValidator(check)


_SPANS = {
    "plan": "from 2000-01-01 to two years from today",
    "record": "from 2000-01-01 to tomorrow",
    "birth": "within the last 120 years, not in the future",
}


def _doc(window: Window) -> Any:
    span = _SPANS.get(window.name, _SPANS["plan"])
    return Field(description=f"Must lie {span} (local time, Asia/Shanghai).")


# Dates and times people or programs enter, each held to its plausible window
# (``core.validation``): plans (orders' wanted times, bookings, activities), records of what
# happened (service hours), birth dates, and dates in filters.
PlanDateTime = Annotated[datetime, _in(PLAN), _doc(PLAN)]
PlanDate = Annotated[date, _in(PLAN), _doc(PLAN)]
RecordDateTime = Annotated[datetime, _in(RECORD), _doc(RECORD)]
RecordDate = Annotated[date, _in(RECORD), _doc(RECORD)]
BirthDate = Annotated[date, _in(BIRTH), _doc(BIRTH)]
QueryDate = Annotated[date, _in(QUERY), _doc(QUERY)]
QueryDateTime = Annotated[datetime, _in(QUERY), _doc(QUERY)]


def _local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise PydanticCustomError("time_with_offset", str(_PYDANTIC_MESSAGES["time_with_offset"]))
    return value


# A wall-clock time of day (opening hours): local time, written and returned without an
# offset ("08:30:00"). JSON Schema's ``format: time`` requires an offset, so it is described
# by a pattern instead; an offset in the input is refused (a daily time has no zone).
LocalTime = Annotated[
    time,
    AfterValidator(_local_time),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "Local time of day (Asia/Shanghai), HH:MM[:SS], no offset",
            "examples": ["08:30:00"],
        }
    ),
]


class PatchSchema(Schema):
    """Base of every PATCH body: a field left out is unchanged; ``null`` is accepted only
    for the fields named in ``nullable`` (those whose value may be cleared, e.g. a parent
    or a venue). For every other field ``null`` is a 422 naming the field, and the OpenAPI
    document does not offer it (no ``null`` type, no ``default: null``)."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value, info):
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError(
                "null_not_allowed", str(_PYDANTIC_MESSAGES["null_not_allowed"])
            )
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        doc = handler(core_schema)
        target = handler.resolve_ref_schema(doc)
        for name, prop in target.get("properties", {}).items():
            if name in cls.nullable:
                continue
            variants = prop.get("anyOf")
            if variants:
                kept = [v for v in variants if v.get("type") != "null"]
                if len(kept) == 1:
                    del prop["anyOf"]
                    prop.update(kept[0])
                else:
                    prop["anyOf"] = kept
            if "default" in prop and prop["default"] is None:
                del prop["default"]
        return doc


# Chinese (translatable) wording for the pydantic errors API clients meet most; anything
# else falls back to pydantic's own English message.
_PYDANTIC_MESSAGES = {
    "missing": _("必填。"),
    "string_type": _("应为文本。"),
    "string_too_long": _("最多 %(max_length)s 个字符。"),
    "string_too_short": _("至少 %(min_length)s 个字符。"),
    "int_type": _("应为整数。"),
    "int_parsing": _("应为整数。"),
    "int_from_float": _("应为整数。"),
    "float_type": _("应为数字。"),
    "float_parsing": _("应为数字。"),
    "finite_number": _("应为有限的数字。"),
    "bool_type": _("应为 true 或 false。"),
    "bool_parsing": _("应为 true 或 false。"),
    "greater_than_equal": _("不能小于 %(ge)s。"),
    "greater_than": _("必须大于 %(gt)s。"),
    "less_than_equal": _("不能大于 %(le)s。"),
    "less_than": _("必须小于 %(lt)s。"),
    "enum": _("应为以下之一：%(expected)s。"),
    "literal_error": _("应为以下之一：%(expected)s。"),
    "list_type": _("应为列表。"),
    "dict_type": _("应为 JSON 对象。"),
    "model_attributes_type": _("应为 JSON 对象。"),
    "json_invalid": _("JSON 格式错误。"),
    "datetime_type": _("应为日期时间，例如 2024-05-01T09:00:00+08:00。"),
    "datetime_parsing": _("应为日期时间，例如 2024-05-01T09:00:00+08:00。"),
    "datetime_from_date_parsing": _("应为日期时间，例如 2024-05-01T09:00:00+08:00。"),
    "time_type": _("应为时间，例如 08:30。"),
    "time_parsing": _("应为时间，例如 08:30。"),
    "date_type": _("应为日期，例如 2024-05-01。"),
    "date_parsing": _("应为日期，例如 2024-05-01。"),
    "extra_forbidden": _("不允许的字段。"),
    "time_with_offset": _("应为不带时区的本地时间，例如 08:30。"),
    "null_not_allowed": _("不能为空值（null）；不修改时请省略此项。"),
}


def pydantic_error_message(err: dict) -> str:
    """One human message for a pydantic error dict, in the request's language."""
    template = _PYDANTIC_MESSAGES.get(err.get("type", ""))
    if template is None:
        return str(err.get("msg", ""))
    try:
        return str(template) % dict(err.get("ctx") or {})
    except (KeyError, TypeError, ValueError):
        return str(err.get("msg", ""))
