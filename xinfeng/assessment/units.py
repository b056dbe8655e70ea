"""The units a scheme assesses: townships and villages (regions), practice sites and
volunteer teams under the scheme's place. One shape (``Unit``) for all four, so results,
manual scores and pages treat them alike; ``region`` is where scope reads the unit (the
place itself, or the site's or team's region)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q
from xinfeng.volunteers.models import Team

from .choices import AssessedLevel

REGION_LEVELS = {
    AssessedLevel.TOWNSHIP: RegionLevel.TOWNSHIP,
    AssessedLevel.VILLAGE: RegionLevel.VILLAGE,
}
# The site that a place's 一把手 leads: the township's institute, the village's station.
LEADING_SITE = {
    AssessedLevel.TOWNSHIP: SiteLevel.INSTITUTE,
    AssessedLevel.VILLAGE: SiteLevel.STATION,
}
# Sites assessed as sites: every level below the center.
SITE_LEVELS = (SiteLevel.INSTITUTE, SiteLevel.STATION, SiteLevel.POINT)
# What a unit's region is read for (name, path, rank order, population): a province has
# ~60,000 units, so the rows are loaded with these fields only.
REGION_FIELDS = ("id", "path", "code", "level", "name", "short_name", "population")


@dataclass(frozen=True)
class Unit:
    level: str
    region: Region
    site: Site | None = None
    team: Team | None = None

    @property
    def key(self) -> tuple[str, int]:
        if self.site is not None:
            return ("site", self.site.pk)
        if self.team is not None:
            return ("team", self.team.pk)
        return ("region", self.region.pk)

    @property
    def pk(self) -> int:
        return self.key[1]

    @property
    def name(self) -> str:
        if self.site is not None:
            return self.site.name
        if self.team is not None:
            return self.team.name
        return self.region.display_name

    @property
    def rank_group(self) -> str:
        return self.site.level if self.site is not None else ""


def unit_key(obj) -> tuple[str, int]:
    """The key of the unit a ``Result`` or ``ManualScore`` row is about."""
    if obj.site_id:
        return ("site", obj.site_id)
    if obj.team_id:
        return ("team", obj.team_id)
    return ("region", obj.region_id)


def units_of(scheme, level: str, *, when: datetime | None = None) -> list[Unit]:
    """Every unit of ``level`` under the scheme's place: townships or villages; the sites
    below the center open at ``when`` (default now); the active teams of the subtree."""
    below = subtree_q([scheme.region.path], "region__path")
    if level in REGION_LEVELS:
        regions = Region.objects.subtree(scheme.region).filter(level=REGION_LEVELS[level])
        return [Unit(level, r) for r in regions.only(*REGION_FIELDS).order_by("path")]
    region_fields = [f"region__{f}" for f in REGION_FIELDS]
    if level == AssessedLevel.SITE:
        sites = (
            Site.objects.open_at(when)
            .filter(below, level__in=SITE_LEVELS)
            .select_related("region", "responsible_user")
            .only(
                "id",
                "name",
                "level",
                "region",
                "responsible_user",
                "responsible_name",
                "responsible_title",
                "responsible_user__display_name",
                *region_fields,
            )
            .order_by("id")
        )
        return [Unit(level, s.region, site=s) for s in sites]
    if level == AssessedLevel.TEAM:
        teams = (
            Team.objects.filter(below, is_active=True)
            .select_related("region")
            .only("id", "name", "region", *region_fields)
            .order_by("id")
        )
        return [Unit(level, t.region, team=t) for t in teams]
    return []


def find_unit(scheme, level: str, *, region_id=None, site_id=None, team_id=None) -> Unit | None:
    """The unit of ``level`` under the scheme's place named by one id, or None."""
    below = subtree_q([scheme.region.path], "region__path")
    if level in REGION_LEVELS and region_id:
        r = (
            Region.objects.filter(subtree_q([scheme.region.path], "path"))
            .filter(pk=region_id, level=REGION_LEVELS[level])
            .first()
        )
        return Unit(level, r) if r else None
    if level == AssessedLevel.SITE and site_id:
        s = (
            Site.objects.filter(below, pk=site_id, level__in=SITE_LEVELS)
            .select_related("region")
            .first()
        )
        return Unit(level, s.region, site=s) if s else None
    if level == AssessedLevel.TEAM and team_id:
        t = Team.objects.filter(below, pk=team_id).select_related("region").first()
        return Unit(level, t.region, team=t) if t else None
    return None


def search_units(scheme, level: str, q: str = "", *, within: list[str] | None = None):
    """A queryset of the units of ``level`` whose name contains ``q``, optionally only
    those in the subtrees of the paths ``within`` (for pages)."""
    q = (q or "").strip()
    if level in REGION_LEVELS:
        qs = Region.objects.subtree(scheme.region).filter(level=REGION_LEVELS[level])
        if within is not None:
            qs = qs.filter(subtree_q(within, "path"))
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
        return qs.order_by("path")
    below = subtree_q([scheme.region.path], "region__path")
    if within is not None:
        below &= subtree_q(within, "region__path")
    if level == AssessedLevel.SITE:
        qs = Site.objects.filter(below, level__in=SITE_LEVELS).select_related("region")
    elif level == AssessedLevel.TEAM:
        qs = Team.objects.filter(below, is_active=True).select_related("region")
    else:
        return Region.objects.none()
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("id")


def leaders(units: list[Unit]) -> dict[tuple[str, int], str]:
    """The 一把手 named on each unit's result: the responsible person of a township's
    institute or a village's station (``LEADING_SITE``), of a site itself, or a team's
    leader."""
    from xinfeng.volunteers.choices import MembershipRole, MembershipStatus
    from xinfeng.volunteers.models import TeamMembership

    out: dict[tuple[str, int], str] = {}

    def site_leader(site) -> str:
        user = site.responsible_user
        name = (user.display_name if user else "") or site.responsible_name
        if not name:
            return ""
        title = f"（{site.responsible_title}）" if site.responsible_title else ""
        return f"{name}{title}"

    places = [u for u in units if u.site is None and u.team is None]
    if places:
        level = places[0].level
        for site in (
            Site.objects.filter(region__in=[u.region for u in places], level=LEADING_SITE[level])
            .select_related("responsible_user")
            .only(
                "id",
                "region",
                "responsible_user",
                "responsible_name",
                "responsible_title",
                "responsible_user__display_name",
            )
            .order_by("id")
        ):
            name = site_leader(site)
            if name and ("region", site.region_id) not in out:
                out[("region", site.region_id)] = name
    for u in units:
        if u.site is not None:
            out[u.key] = site_leader(u.site)
    teams = [u.team.pk for u in units if u.team is not None]
    if teams:
        for team_id, name in (
            TeamMembership.objects.filter(
                team_id__in=teams,
                role=MembershipRole.LEADER,
                status=MembershipStatus.ACTIVE,
            )
            .order_by("team_id", "id")
            .values_list("team_id", "volunteer__name")
        ):
            out.setdefault(("team", team_id), name)
    return out
