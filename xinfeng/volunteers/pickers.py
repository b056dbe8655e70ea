"""Search-as-you-type pickers of the volunteers staff forms (``places.pickers.SearchPicker``).

A province has ~100,000 sites and ~12,000 teams: the staff forms never render a select
of them. The querysets here are both the forms' choices (what the server accepts) and
what the endpoints ``/volunteers/pick/sites|teams/`` search, so the picker offers exactly
what the form will accept. Regions use ``/places/pick/regions/?scope=staff``, which is
scoped like ``staff_regions``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xinfeng.accounts.choices import STAFF_ROLES
from xinfeng.accounts.scope import restrict, scope_paths
from xinfeng.places.models import Site
from xinfeng.regions.models import PATH_SEGMENT, Region, subtree_q
from xinfeng.regions.pickers import KINDS, Kind, SearchPicker
from xinfeng.volunteers.models import Team

NOT_IN_SCOPE = {
    "site": _("请从搜索结果中选择阵地：所选阵地不存在或不在您的管理范围内。"),
    "region": _("请从搜索结果中选择区划：所选区划不存在或不在您的管理范围内。"),
    "team": _("请从搜索结果中选择队伍：所选队伍不存在、已停用或不在您的管理范围内。"),
}


def staff_regions(user) -> QuerySet:
    """Regions in the user's staff scope (the same set as ``/places/pick/regions/``)."""
    return restrict(Region.objects.all(), user, path_field="path", roles=STAFF_ROLES)


def staff_sites(user) -> QuerySet:
    """Sites in the user's staff scope (home sites, issuers, exchange points)."""
    return restrict(Site.objects.select_related("region"), user, roles=STAFF_ROLES).order_by(
        "level", "name"
    )


def parent_team_candidates(user) -> QuerySet:
    """Active teams the user may choose as a parent: those in their staff scope and those
    of the regions above it (a township team under the county's general team)."""
    qs = Team.objects.filter(is_active=True).select_related("region")
    paths = scope_paths(user, STAFF_ROLES)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    ancestors = {p[:i] for p in paths for i in range(PATH_SEGMENT, len(p), PATH_SEGMENT)}
    return qs.filter(subtree_q(paths, "region__path") | Q(region__path__in=ancestors))


def team_label(team: Team) -> str:
    return f"{team.name}（{team.region.display_name}）"


def _team_search(qs: QuerySet, q: str) -> QuerySet:
    return qs.filter(name__icontains=q)


# The places picker's options() looks kinds up here: upper regions' teams come first.
KINDS.setdefault(
    "teams", Kind(team_label, _team_search, lambda: ("region__path", "name", "id"), ("region",))
)


def site_picker(**params) -> SearchPicker:
    return SearchPicker(kind="sites", params=params, url_name="volunteers:pick_sites")


def team_picker(**params) -> SearchPicker:
    return SearchPicker(kind="teams", params=params, url_name="volunteers:pick_teams")


def region_picker() -> SearchPicker:
    return SearchPicker(kind="regions", params={"scope": "staff"})
