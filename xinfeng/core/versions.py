"""A version number kept in Django's cache (Redis when ``REDIS_URL`` is set, so shared by
every process): the key part of a version-keyed cache. Readers put ``get()`` into their
keys; a write that makes cached answers stale calls ``bump()``, and every key made with the
old number is never read again (it expires by itself).

``forget()`` bumps now and again when the current transaction commits: a reader in another
connection that recomputed between the two, from rows not yet committed, stores under a
number the commit then retires."""

from django.core.cache import cache
from django.db import transaction


class CacheVersion:
    def __init__(self, key: str):
        self.key = key

    def get(self) -> int:
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, 1, None)
            version = cache.get(self.key) or 1
        return version

    def bump(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # evicted or never read: any number other than 1 retires it
            cache.set(self.key, 2, None)

    def forget(self) -> None:
        self.bump()
        transaction.on_commit(self.bump)
