"""The site picker kind; the search-as-you-type machinery itself lives in
``xinfeng.regions.pickers`` (below accounts, so every app's forms can use it)."""

from __future__ import annotations

from django.db.models import QuerySet

from xinfeng.regions.pickers import KINDS, Kind

from .models import Site


def site_label(site: Site) -> str:
    return f"{site.name}（{site.region.display_name}）"


def _site_search(qs: QuerySet, q: str) -> QuerySet:
    return qs.filter(name__icontains=q)


def _site_order():
    from .selectors import level_rank

    return (level_rank(), "name", "id")


KINDS["sites"] = Kind(site_label, _site_search, _site_order, ("region",))
