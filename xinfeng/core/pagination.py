"""Keyset (cursor) pagination: constant cost at any depth, stable under inserts.

``keyset_page(qs, cursor=..., limit=..., ordering=("-created_at", "-id"))`` returns the
page's rows (model instances, or dicts from ``values()``) and the opaque cursor of the next page (``None`` on the last page). The last
ordering field must be unique (normally ``id``) so the order is total.
"""

import base64
import json
import re
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .errors import ValidationFailed

MAX_LIMIT = 200
MAX_CURSOR = 1000
CURSOR_RE = re.compile(r"[A-Za-z0-9_-]*")
# How the API document describes a ``cursor`` (``xinfeng.api``): what ``_decode`` takes.
CURSOR_SCHEMA = {
    "type": "string",
    "maxLength": MAX_CURSOR,
    "pattern": "^[A-Za-z0-9_-]*$",
    "description": "The next_cursor of the previous page (opaque); omit for the first page",
}


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, fields, model) -> list[Any]:
    try:
        if len(cursor) > MAX_CURSOR or not CURSOR_RE.fullmatch(cursor):
            raise ValueError
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != len(fields):
            raise ValueError
        return [model._meta.get_field(f).to_python(v) for f, v in zip(fields, values, strict=True)]
    except Exception as exc:
        raise ValidationFailed(_("分页游标无效。"), code="invalid_cursor") from exc


def keyset_page(
    qs: QuerySet, *, cursor: str | None, limit: int = 50, ordering: tuple[str, ...] = ("-id",)
) -> tuple[list, str | None]:
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed(
            _("每页条数必须在 1 到 %(max)d 之间。") % {"max": MAX_LIMIT}, code="invalid_limit"
        )
    fields = [o.lstrip("-") for o in ordering]
    desc = [o.startswith("-") for o in ordering]
    qs = qs.order_by(*ordering)
    if cursor:
        values = _decode(cursor, fields, qs.model)
        condition = Q()
        for i, field in enumerate(fields):
            step = Q(**{f"{field}__{'lt' if desc[i] else 'gt'}": values[i]})
            for j in range(i):
                step &= Q(**{fields[j]: values[j]})
            condition |= step
        qs = qs.filter(condition)
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        get = last.__getitem__ if isinstance(last, dict) else last.__getattribute__
        next_cursor = _encode([get(f) for f in fields])
    return rows, next_cursor
