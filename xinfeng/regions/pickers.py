"""Search-as-you-type pickers for fields over tables too big for a ``<select>`` (a province
has ~100,000 sites and as many villages).

``SearchPicker`` replaces the select of a ``ModelChoiceField``: it renders a search box and
a short list of radio buttons named like the field (the current value first, then a few
candidates). Typing asks the kind's search endpoint (e.g. ``/places/pick/<kind>/``, htmx) for the matches, scoped like the
form's queryset; the chosen radio is what the form posts, and the form still validates it
against its (scoped) queryset, so a crafted value is refused server-side.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import RegionLevel
from .models import Region

LIMIT = 20
QUERY_MAX = 50
FIELD_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def region_label(region: Region) -> str:
    parent = region.parent.name if region.parent is not None else ""
    return f"{parent} · {region.display_name}" if parent else region.display_name


def _region_search(qs: QuerySet, q: str) -> QuerySet:
    if q.isdigit():
        return qs.filter(code__startswith=q)
    return qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))


@dataclass(frozen=True)
class Kind:
    label: Callable[[Any], str]  # the text of one option
    search: Callable[[QuerySet, str], QuerySet]  # narrow the queryset by the typed text
    order: Callable[[], tuple]  # the order_by of the candidates
    related: tuple  # select_related for the label


# The registry of picker kinds. Regions are picked here; a higher app registers its own
# kind (places: "sites"; volunteers and activities theirs) and serves its search endpoint,
# so this module never imports upwards.
KINDS: dict[str, Kind] = {
    "regions": Kind(region_label, _region_search, lambda: ("path",), ("parent",)),
}


def parse_levels(raw: str | None) -> list[str]:
    """``"village,natural_village"`` → known region levels (unknown ones are dropped)."""
    return [lv for lv in (raw or "").split(",") if lv in RegionLevel.values]


def options(
    qs: QuerySet, *, kind: str, q: str = "", selected=None
) -> tuple[tuple | None, list[tuple], bool]:
    """(the selected (id, label) if it is in ``qs``, up to ``LIMIT`` other matches, whether
    there are more). Two small queries whatever the size of the table."""
    k = KINDS[kind]
    qs = qs.select_related(*k.related)
    chosen = None
    selected_id = None
    if selected not in (None, ""):
        try:
            selected_id = int(selected)
        except (TypeError, ValueError):
            selected_id = None
    if selected_id is not None and 0 < selected_id < 2**63:
        obj = qs.filter(pk=selected_id).first()
        if obj is not None:
            chosen = (obj.pk, k.label(obj))
    matches = k.search(qs, q) if q else qs
    if chosen is not None:
        matches = matches.exclude(pk=chosen[0])
    rows = list(matches.order_by(*k.order())[: LIMIT + 1])
    return chosen, [(o.pk, k.label(o)) for o in rows[:LIMIT]], len(rows) > LIMIT


class SearchPicker(forms.Widget):
    """The widget of a ``ModelChoiceField`` whose queryset may be huge (see module doc).
    ``params`` go to the search endpoint (e.g. ``scope``, ``levels``, ``exclude``).
    ``url_name`` names another app's endpoint scoped like its own form (default
    ``places:pick_<kind>``); an app may add its own entry to ``KINDS``."""

    template_name = "regions/widgets/search_picker.html"
    placeholder = _("输入名称搜索")

    def __init__(
        self, *, kind: str, params: dict | None = None, attrs=None, url_name: str | None = None
    ):
        super().__init__(attrs)
        assert kind in KINDS
        self.kind = kind
        self.url_name = url_name or f"places:pick_{kind}"
        self.params = dict(params or {})
        self.choices = ()

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.params = dict(self.params)
        return obj

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        qs = getattr(self.choices, "queryset", None)
        chosen, rows, more = (None, [], False)
        if qs is not None:
            chosen, rows, more = options(qs, kind=self.kind, selected=value)
        vals = {"field": name, "required": int(self.is_required), **self.params}
        context["widget"].update(
            {
                "url": reverse(self.url_name),
                "vals": json.dumps(vals, ensure_ascii=False),
                "placeholder": self.placeholder,
                "required": self.is_required,
                "selected": chosen,
                "options": rows,
                "more": more,
            }
        )
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data
