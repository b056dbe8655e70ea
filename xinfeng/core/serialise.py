"""API list rows without ninja's per-attribute getters: one helper for every list endpoint.

A django-ninja ``Schema`` validates each output object through ``DjangoGetter``: per row
and per field an attribute lookup, a resolver check and a conversion, on model instances
the ORM built first — about half of a public list request. ``ListRows(schema, model)``
instead works out once, when it is made, which ``values()`` column (or small function of
the row) gives each of the schema's fields; per response it reads the rows with
``values(*rows.columns)``, maps them to the schema's fields in one pass and renders them
with ninja's own JSON encoder (``NinjaJSONEncoder``), so the bytes are those ninja would
have sent. The schema stays the documented shape (the operation keeps ``response=``);
tests check that the rows validate against it and equal what the getter path produced.

Where a field's value comes from, decided once:

- ``derived={"field": Derived(fn, "col", ...)}``: ``fn(row)`` over the named columns;
- ``columns={"field": "lookup"}``: another column or a join (``"site__name"``);
- ``Field(alias="site.name")``: the column ``site__name``;
- ``Field(alias="get_<col>_display")``: the label of ``<col>``'s choices on ``model``,
  translated once per response (the active language), the raw value when unknown — as
  Django's ``get_FOO_display``;
- otherwise the column of the field's own name.

Fields typed ``float`` are cast with ``float()`` (a ``DecimalField`` read for a float field),
as pydantic would before ninja encoded them.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.db.models import FileField, Model, QuerySet
from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from .pagination import keyset_page

CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Derived:
    """A field computed from the row: ``fn(row)``; ``needs`` are the columns it reads."""

    fn: Callable[[dict], Any]
    needs: tuple[str, ...]

    def __init__(self, fn: Callable[[dict], Any], *needs: str):
        object.__setattr__(self, "fn", fn)
        object.__setattr__(self, "needs", needs)


def _is_float(annotation) -> bool:
    if annotation is float:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args == [float]
    return False


def _to_float(value):
    return None if value is None else float(value)


class ListRows:
    """The rows of ``schema`` (a pydantic/ninja model) read from ``model`` with ``values()``.

    ``rows.columns``: what to pass to ``values()``; ``rows.rows(values_rows)``: the output
    dicts (the schema's field names, in its order); ``rows.page(qs, ...)``: a keyset page as
    an ``HttpResponse`` ``{"items": [...], "next_cursor": ...}``; ``rows.response(data)``:
    any JSON body rendered as ninja would.
    """

    def __init__(
        self,
        schema: type[BaseModel],
        model: type[Model],
        *,
        derived: dict[str, Derived] | None = None,
        columns: dict[str, str] | None = None,
    ):
        derived = dict(derived or {})
        columns = dict(columns or {})
        unknown = (set(derived) | set(columns)) - set(schema.model_fields)
        if unknown:
            raise ValueError(f"{schema.__name__} has no fields {sorted(unknown)}")
        self.schema, self.model = schema, model
        self.names: tuple[str, ...] = tuple(schema.model_fields)
        # (field, callable) computed per row and written under the field's name.
        self._computed: list[tuple[str, Callable[[dict], Any]]] = []
        # choice labels: (field, column, model field) — the label map is built per response.
        self._labels: list[tuple[str, str, Any]] = []
        needed: list[str] = []
        sources: list[str] = []
        for name, info in schema.model_fields.items():
            alias = info.alias or ""
            if name in derived:
                spec = derived[name]
                needed.extend(spec.needs)
                self._computed.append((name, spec.fn))
                sources.append(name)
            elif name in columns:
                needed.append(columns[name])
                sources.append(columns[name])
            elif alias.startswith("get_") and alias.endswith("_display"):
                column = alias[4:-8]
                needed.append(column)
                self._labels.append((name, column, model._meta.get_field(column)))
                sources.append(name)
            elif "." in alias:
                column = alias.replace(".", "__")
                needed.append(column)
                sources.append(column)
            else:
                needed.append(name)
                sources.append(name)
            if _is_float(info.annotation) and name not in derived:
                source = sources[-1]
                self._computed.append((source, _cast(source, _to_float)))
        self.columns: tuple[str, ...] = tuple(dict.fromkeys(needed))
        self._get = itemgetter(*sources) if len(sources) > 1 else (lambda row: (row[sources[0]],))

    def label_maps(self) -> list[tuple[str, str, dict]]:
        """``(field, column, {value: label})`` in the active language."""
        return [
            (name, column, {value: str(label) for value, label in field.flatchoices})
            for name, column, field in self._labels
        ]

    def rows(self, rows: Iterable[dict]) -> list[dict]:
        """``values(*self.columns)`` rows as the schema's dicts (the rows are modified)."""
        labels = self.label_maps()
        computed = self._computed
        names, get = self.names, self._get
        out = []
        for row in rows:
            for name, column, choices in labels:
                value = row[column]
                row[name] = choices.get(value, value)
            for name, fn in computed:
                row[name] = fn(row)
            out.append(dict(zip(names, get(row), strict=True)))
        return out

    def values(self, qs: QuerySet) -> QuerySet:
        return qs.values(*self.columns)

    def page(
        self, qs: QuerySet, *, cursor: str | None, limit: int, ordering: tuple[str, ...]
    ) -> HttpResponse:
        """A keyset page of ``qs`` (``core.pagination``) as ``{"items", "next_cursor"}``."""
        keys = [o.lstrip("-") for o in ordering if o.lstrip("-") not in self.columns]
        found, nxt = keyset_page(
            qs.values(*self.columns, *keys), cursor=cursor, limit=limit, ordering=ordering
        )
        return self.response({"items": self.rows(found), "next_cursor": nxt})

    @staticmethod
    def response(data: Any, status: int = 200) -> HttpResponse:
        """``data`` rendered as ninja's ``JSONRenderer`` renders a validated response."""
        return HttpResponse(
            json.dumps(data, cls=NinjaJSONEncoder), status=status, content_type=CONTENT_TYPE
        )


def _cast(source: str, convert: Callable[[Any], Any]) -> Callable[[dict], Any]:
    def cast(row: dict) -> Any:
        return convert(row[source])

    return cast


def file_url(model: type[Model], column: str) -> Derived:
    """The URL of a file field read with ``values()`` (its stored name), ``None`` when
    empty — what ``obj.<column>.url if obj.<column> else None`` gives."""
    field = model._meta.get_field(column)
    if not isinstance(field, FileField):
        raise ValueError(f"{model.__name__}.{column} is not a file field")
    storage = field.storage

    def url(row: dict) -> str | None:
        name = row[column]
        return storage.url(name) if name else None

    return Derived(url, column)
