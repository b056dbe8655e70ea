"""Input types shared by every API router.

``DbId`` keeps ids inside what a 64-bit integer column holds, so an absurd id is a 422
before it reaches the database (where SQLite raises OverflowError and PostgreSQL a
DataError). ``SearchText`` bounds free-text filters.
"""

from typing import Annotated

from django.utils.translation import gettext_lazy as _
from pydantic import Field, StringConstraints

DB_ID_MAX = 2**63 - 1

DbId = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Limit = Annotated[int, Field(ge=1, le=200)]

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
