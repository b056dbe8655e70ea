"""The cascading region filter of list pages (省/市/县/乡/村, as on government sites).

A ``<select>`` over every region of a level is tens of KB of options at province scale
(~19,000 villages). The cascade instead renders, for the chosen region S and the root the
page allows (the user's scope on staff pages, the whole tree on public ones), one select
per level on the path from the root to S — each listing only the children of the level
above, S's ancestor selected — plus one select of S's children headed by "全部 / All".
So a page carries a few selects of one parent's children each.

Request format (documented contract, see docs/architecture.md):

- Every select of the cascade is named ``region`` (``param``), in order from the top level
  down. The "全部" option of the first visible select is empty; the "全部" option of a
  deeper select carries the id of the level above (meaning "all of it"). So in any form
  the page rendered, the last ``region`` value is the chosen region: pager links and
  ``QueryDict.get`` keep working, and a plain ``?region=<id>`` link still selects that id.
- The view reads the values in order (``region_cascade``): the first must be a region
  within the allowed root; each next one must be a child of the one before and is then
  taken; an empty value, the same id again, an unknown/junk/out-of-scope id or a region of
  another branch ends the walk. Without JavaScript, changing a county while the old
  township select still posts its value thus selects the new county, not the old township.
  An invalid first value resets the filter (no region); nothing answers an error.
- With JavaScript (htmx's ``hx-on``), changing a select drops the values of the selects below
  it and reloads the page with the form's values, so the cascade re-renders one level deeper.

Queries: parsing is one query (the posted ids); the option lists are one query for the
top level (the scope roots, or the parentless regions) plus one query
``parent_id IN (chain)`` for every level below and S's children — the ancestors come from
S's materialised path, not a walk. A top level of a single region (a city-only install,
a staff scope of one township) is skipped into its children: one more query per lone level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db import connections
from django.http import QueryDict

from xinfeng.core import publiccache
from xinfeng.regions.models import PATH_MAX_DEPTH, PATH_SEGMENT, Region

# Ids are at most PATH_SEGMENT digits (the path pads them to that width); anything longer
# is junk, refused before it reaches the database (SQLite overflows on huge integers).
_MAX_ID_DIGITS = PATH_SEGMENT
_MAX_VALUES = PATH_MAX_DEPTH + 2


@dataclass
class CascadeLevel:
    """One select: ``options`` are siblings (one parent's children); ``selected`` is the
    chosen one's id or None; ``all_value`` is what its "全部" option posts."""

    options: list[Region]
    selected: int | None
    all_value: str
    label: str
    id: str = ""


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= _MAX_ID_DIGITS


def _in_scope(region: Region, roots: list[str] | None) -> bool:
    return roots is None or any(region.path.startswith(p) for p in roots)


def _path_ids(path: str) -> list[int]:
    return [int(path[i : i + PATH_SEGMENT]) for i in range(0, len(path), PATH_SEGMENT)]


# The public tree's first select (the parentless regions, lone levels skipped), kept per
# process under the version of the ``regions`` topic (core.publiccache): any write to a
# region starts a new version, so a stale list is never used.
_public_top: tuple[object, list[Region]] | None = None


def _public_first_level() -> list[Region]:
    global _public_top
    publiccache.settle(connections["default"])  # a rolled-back write counts as a change
    version = publiccache.versions(["regions"])[0]
    if _public_top is not None and _public_top[0] == version:
        return _public_top[1]
    top = list(Region.objects.filter(parent__isnull=True).order_by("path"))
    for _ in range(PATH_MAX_DEPTH):
        if len(top) != 1:
            break
        kids = list(Region.objects.filter(parent_id=top[0].pk).order_by("path"))
        if not kids:
            break
        top = kids
    _public_top = (version, top)
    return top


def _level_label(options: list[Region]) -> str:
    return str(options[0].get_level_display()) if options else ""


@dataclass
class RegionCascade:
    """The chosen region of a list page's filter and (lazily) the selects to render it."""

    selected: Region | None
    roots: list[str] | None
    param: str = "region"
    id: str = "f-region"
    # True when the request named a region that was not honoured (junk, out of scope).
    ignored: bool = False
    _top: list[Region] | None = field(default=None, repr=False)

    def _top_level(self) -> list[Region]:
        if self.roots is None:
            return list(Region.objects.filter(parent__isnull=True).order_by("path"))
        root_ids = [_path_ids(p)[-1] for p in self.roots]
        return list(Region.objects.filter(pk__in=root_ids).order_by("path"))

    @cached_property
    def levels(self) -> list[CascadeLevel]:
        """The selects, top first. Computed only when a template renders them (an htmx
        request for the rows alone costs no query here)."""
        if self.roots == []:
            return []
        levels: list[CascadeLevel] = []
        s = self.selected
        if s is None and self.roots is None:
            top = _public_first_level()
            if top:
                levels.append(CascadeLevel(top, None, "", _level_label(top)))
            return self._number(levels)
        top = self._top_level()
        if s is None:
            # Skip lone levels (a single city, a scope of one township) into their children.
            for _ in range(PATH_MAX_DEPTH):
                if len(top) != 1:
                    break
                kids = list(Region.objects.filter(parent_id=top[0].pk).order_by("path"))
                if not kids:
                    break
                top = kids
            if top:
                levels.append(CascadeLevel(top, None, "", _level_label(top)))
            return self._number(levels)
        # The chain from the top level down to S, read off S's path (no query).
        top_ids = {r.pk for r in top}
        ids = _path_ids(s.path)
        start = next((i for i, pk in enumerate(ids) if pk in top_ids), None)
        if start is None:  # cannot happen for a selection validated against the roots
            return self._number([CascadeLevel(top, None, "", _level_label(top))])
        chain = ids[start:]
        children: dict[int, list[Region]] = {pk: [] for pk in chain}
        for r in Region.objects.filter(parent_id__in=chain).order_by("path"):
            children[r.parent_id].append(r)
        options = top
        parent_value = ""
        for pk in chain:
            levels.append(CascadeLevel(options, pk, parent_value, _level_label(options)))
            options, parent_value = children[pk], str(pk)
        if options:
            levels.append(CascadeLevel(options, None, parent_value, _level_label(options)))
        # Drop leading selects that offer no choice (one option, and a level below).
        while len(levels) > 1 and len(levels[0].options) == 1:
            levels.pop(0)
            levels[0].all_value = ""
        return self._number(levels)

    def _number(self, levels: list[CascadeLevel]) -> list[CascadeLevel]:
        for i, level in enumerate(levels):
            level.id = self.id if i == 0 else f"{self.id}-{i}"
        return levels


def region_cascade(
    query: QueryDict,
    *,
    roots: list[str] | None = None,
    param: str = "region",
    id: str = "f-region",
) -> RegionCascade:
    """Parse and validate the cascade's values (see the module docstring) in one query.

    ``roots``: region paths the page allows (``accounts.scope.scope_paths(user)``), or
    None for the whole tree; ``[]`` allows nothing. Never raises on bad input: a value
    that cannot be honoured ends the walk, and ``ignored`` says so.
    """
    values = [v.strip() for v in query.getlist(param)[:_MAX_VALUES]]
    ids = [int(v) for v in values if _is_id(v)]
    by_id = {r.pk: r for r in Region.objects.filter(pk__in=ids)} if ids else {}
    current: Region | None = None
    ignored = False
    for v in values:
        if not v:
            break
        r = by_id.get(int(v)) if _is_id(v) else None
        if current is None:
            if r is None or roots == [] or not _in_scope(r, roots):
                ignored = True
                break
            current = r
        elif r is not None and r.pk == current.pk:
            break  # the "全部" of the level below the chosen region
        elif r is not None and r.parent_id == current.pk:
            current = r
        else:
            ignored = r is None  # junk; another branch is a stale value of a no-JS form
            break
    return RegionCascade(selected=current, roots=roots, param=param, id=id, ignored=ignored)


def chosen_region(
    query: QueryDict, *, roots: list[str] | None = None, param: str = "region"
) -> Region | None:
    """The region a list page filters by (see ``region_cascade``), or None."""
    return region_cascade(query, roots=roots, param=param).selected
