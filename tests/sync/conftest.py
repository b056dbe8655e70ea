"""Sync tests talk to a real HTTP receiver on 127.0.0.1 (tests/sync/receiver.py)."""

import pytest
from django.test import override_settings

from .receiver import Receiver

FAST = {
    "max_attempts": 4,
    "lease_seconds": 30,
    "backoff_base_seconds": 0.01,
    "backoff_cap_seconds": 0.05,
    "breaker_threshold": 3,
    "breaker_base_seconds": 0.2,
    "breaker_cap_seconds": 0.5,
}


def sync_settings(provincial_url="", national_url="", **extra) -> dict:
    targets = {
        "provincial": {"url": provincial_url, "token": "prov-secret", "inbound_token": "prov-in"},
        "national": {"url": national_url, "token": "nat-secret", "inbound_token": "nat-in"},
    }
    for name, cfg in extra.pop("targets", {}).items():
        targets[name] = {**targets.get(name, {}), **cfg}
    return {"targets": targets, **FAST, **extra}


@pytest.fixture
def receiver():
    rx = Receiver().start()
    yield rx
    rx.stop()


@pytest.fixture
def provincial_on(receiver):
    """The provincial target pointed at the receiver; the national one off."""
    with override_settings(XINFENG_SYNC=sync_settings(provincial_url=receiver.url)):
        yield receiver
