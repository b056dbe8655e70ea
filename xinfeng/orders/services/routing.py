"""Where a new order goes, cached: a region (by id), the sites that may answer for it, and
who a site's staff are. Ordering asks these on every order; they change rarely.

Everything is kept in Django's cache (Redis when ``REDIS_URL`` is set, so every web
process shares it; this process's memory otherwise) under one version number. Any save or
delete of a region, a site, a site's operators, a role assignment, or a user's ``is_active``
/ ``is_superuser`` bumps the version twice: at once (the writing transaction sees its own
change) and when the transaction commits (no process keeps what it read before the commit).
Entries also expire after ``TTL`` seconds: the bound on staleness for a change that sends
no signal (``QuerySet.update``, ``bulk_create``) and, without Redis, for other processes.

The answers are the ones the queries give (``deepest_site_for``, ``site_staff_users``,
``places.policy.is_site_staff``), read from rows cached together:

- ``region(pk)``: the region row;
- ``responsible_site(region, now)``: the deepest station, institute or center open at
  ``now`` whose region contains ``region`` (candidates cached with their open dates, the
  choice made per call, so a site's opening or closing date takes effect on time);
- ``site_staff(site)``: ids of who answers for the site (notices), and ids of who is staff
  of the site (a staff role at its region or above, or a system administrator).
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q

from xinfeng.accounts.choices import STAFF_ROLES, Role
from xinfeng.accounts.models import RoleAssignment, User
from xinfeng.core.versions import CacheVersion
from xinfeng.places.models import Site
from xinfeng.places.selectors import ANSWERING_ROLES
from xinfeng.regions.models import Region

TTL = 60  # seconds
VERSION_KEY = "xf:orders:routing:v"
SITE_LEVELS = ("station", "institute", "center")


_routing_version = CacheVersion(VERSION_KEY)
_version = _routing_version.get


def forget() -> None:
    """Drop every cached answer: now, and again when the current transaction commits."""
    _routing_version.forget()


def _cached(key: str, compute):
    full = f"xf:orders:routing:{_version()}:{key}"
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, TTL)
    return value


# --- signal receivers (connected in OrdersConfig.ready) --------------------------------------


def changed(*, action: str = "post_save", **kwargs) -> None:
    """A region, site, site's operators or role assignment was saved or deleted (for the
    operators, once the change is made: ``post_add``, ``post_remove``, ``post_clear``)."""
    if action.startswith("post_"):
        forget()


def user_changed(*, update_fields=None, created=False, **kwargs) -> None:
    """A user was saved: only who is active or a superuser matters here (a login, which
    saves ``last_login`` alone, keeps the cache)."""
    if created:
        return
    if update_fields is None or {"is_active", "is_superuser"} & set(update_fields):
        forget()


# --- the answers ----------------------------------------------------------------------------


def region(pk: int) -> Region | None:
    """The region with ``pk`` (``None`` when there is none)."""
    return _cached(f"r:{int(pk)}", lambda: Region.objects.filter(pk=pk).first() or False) or None


def _candidates(region: Region) -> list[Site]:
    """The sites that may answer for ``region``, best first, up to the first one open at
    all times (none after it can ever be chosen): usually one site to keep."""
    prefixes = [region.path[:i] for i in range(8, len(region.path) + 1, 8)]
    sites = (
        Site.objects.filter(region__path__in=prefixes, level__in=SITE_LEVELS)
        .select_related("region")
        .order_by("-region__depth", "level", "id")
    )
    kept = []
    for site in sites.iterator(chunk_size=100):
        kept.append(site)
        if site.active_from is None and site.active_until is None:
            break
    return kept


def responsible_site(region: Region, now) -> Site | None:
    """The responsible site for a place at ``now``: the deepest station, institute or
    center open then whose region contains ``region`` (the station in the village before
    the township's institute). Same answer as ``_common.deepest_site_for``."""
    sites = _cached(f"s:{region.pk}:{region.path}", lambda: _candidates(region))
    for site in sites:
        if (site.active_from is None or site.active_from <= now) and (
            site.active_until is None or site.active_until > now
        ):
            return site
    return None


@dataclass(frozen=True)
class SiteStaff:
    answering: tuple[int, ...]  # who answers for the site: its notices go to them
    covering: frozenset[int]  # who is staff of the site (is_site_staff), superusers aside


def _site_staff(site: Site) -> SiteStaff:
    q = Q(sites_operated=site) | Q(
        role_assignments__region_id=site.region_id, role_assignments__role__in=ANSWERING_ROLES
    )
    if site.responsible_user_id:
        q |= Q(pk=site.responsible_user_id)
    answering = tuple(
        User.objects.filter(q, is_active=True)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    path = site.region.path
    prefixes = [path[:i] for i in range(8, len(path) + 1, 8)]
    covering = frozenset(
        RoleAssignment.objects.filter(
            Q(role__in=STAFF_ROLES, region__path__in=prefixes) | Q(role=Role.SYSTEM_ADMIN)
        ).values_list("user_id", flat=True)
    )
    return SiteStaff(answering=answering, covering=covering)


def site_staff(site: Site) -> SiteStaff:
    return _cached(f"st:{site.pk}", lambda: _site_staff(site))


def answering_users(site: Site | None) -> list[User]:
    """Who answers for ``site`` (``places.selectors.site_staff_users``), as unsaved users
    carrying only their id: enough to address a notice."""
    if site is None:
        return []
    return [User(pk=pk) for pk in site_staff(site).answering]


def is_site_staff(user, site: Site) -> bool:
    """``places.policy.is_site_staff`` from the cache: a staff role at the site's region or
    above, a system administrator, or a superuser."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser) or user.pk in site_staff(site).covering
