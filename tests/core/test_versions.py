"""core.versions.CacheVersion: the shared version number behind the version-keyed caches
(bearer tokens, order routing, activity region pickers, team leaders)."""

import pytest
from django.core.cache import cache
from django.db import transaction

from xinfeng.core.versions import CacheVersion


def test_a_bump_retires_the_number_readers_used():
    version = CacheVersion("xf:test:versions:a")
    first = version.get()
    assert version.get() == first  # stable while nothing changes
    version.bump()
    assert version.get() != first


def test_a_bump_after_eviction_still_retires_the_old_number():
    version = CacheVersion("xf:test:versions:b")
    assert version.get() == 1
    cache.delete(version.key)  # evicted (or Redis restarted)
    version.bump()
    assert version.get() != 1


@pytest.mark.django_db(transaction=True)
def test_forget_bumps_now_and_again_on_commit():
    version = CacheVersion("xf:test:versions:c")
    start = version.get()
    with transaction.atomic():
        version.forget()
        during = version.get()
        assert during != start
    assert version.get() not in (start, during)
