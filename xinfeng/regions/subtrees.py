"""Ids of the regions in given subtrees, cached: the scope filters of staff lists and the
team inbox (``region_id IN (…)``) would otherwise read them on every request, though the
region tree changes rarely.

Cached (Django's cache, ``TIMEOUT`` seconds) under a ``CacheVersion`` that any save or
delete of a ``Region`` retires (signals connected in ``RegionsConfig.ready``; a move
re-saves the whole subtree), so a change shows at once in this process, in every process
when the cache is Redis, and elsewhere within ``TIMEOUT``."""

import hashlib

from django.core.cache import cache

from xinfeng.core.versions import CacheVersion

from .models import Region, subtree_q

TIMEOUT = 60
_version = CacheVersion("xf:regions:subtrees:v")


def regions_changed(**kwargs) -> None:
    """Signal receiver: a region was saved or deleted; forget every cached subtree."""
    _version.forget()


def subtree_ids(paths: list[str], limit: int) -> list[int]:
    """Ids (in path order, at most ``limit``) of the regions in the subtrees ``paths``."""
    digest = hashlib.blake2b("|".join(sorted(paths)).encode(), digest_size=16).hexdigest()
    key = f"xf:regions:subtree:{_version.get()}:{limit}:{digest}"
    ids = cache.get(key)
    if ids is None:
        ids = list(Region.objects.filter(subtree_q(paths)).values_list("id", flat=True)[:limit])
        cache.set(key, ids, TIMEOUT)
    return ids
