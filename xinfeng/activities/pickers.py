"""Region choices for the activity list's "near a village" picker, cached.

The region tree changes rarely, yet the phone list would spend three queries per request
reading it. Choices are cached (Django's cache, 5 minutes) under a version that any save
or delete of a ``Region`` bumps (signals connected in ``ActivitiesConfig.ready``), so an
edit shows at once in this process and within the timeout elsewhere.
"""

from django.core.cache import cache

from xinfeng.core.versions import CacheVersion
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region, subtree_q

TIMEOUT = 300
MAX_NEAR_OPTIONS = 300
VERSION_KEY = "xf:activities:regions:version"
VILLAGE_LEVELS = [RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE]


_regions_version = CacheVersion(VERSION_KEY)
_version = _regions_version.get


def regions_changed(**kwargs) -> None:
    """Signal receiver: a region was saved or deleted; forget cached choices."""
    _regions_version.bump()


def _cached(key: str, compute):
    full = f"xf:activities:regions:{_version()}:{key}"
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, TIMEOUT)
    return value


def _base_path_of_home(home_region_id: int) -> str | None:
    """The township (or the region itself, if it has no parent) a home region lies in."""

    def compute():
        home = (
            Region.objects.filter(pk=home_region_id).values("path", "level", "parent__path").first()
        )
        if not home:
            return ""
        if home["level"] == RegionLevel.TOWNSHIP or not home["parent__path"]:
            return home["path"]
        return home["parent__path"]

    return _cached(f"home:{home_region_id}", compute) or None


def village_choices(*, region: Region | None, user) -> list[tuple[int, str]]:
    """Villages offered in the "near" picker: those of the chosen region, else of the
    user's township, else of the whole tree (capped)."""
    base_path = region.path if region is not None else None
    if base_path is None and user.is_authenticated and user.home_region_id:
        base_path = _base_path_of_home(user.home_region_id)

    def compute():
        qs = Region.objects.filter(level__in=VILLAGE_LEVELS, latitude__isnull=False)
        if base_path is not None:
            qs = qs.filter(subtree_q([base_path]))
        rows = qs.order_by("path").values("id", "name", "short_name")[:MAX_NEAR_OPTIONS]
        return [(r["id"], r["short_name"] or r["name"]) for r in rows]

    return _cached(f"villages:{base_path or '*'}", compute)
