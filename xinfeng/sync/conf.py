"""Targets and relay settings, read from ``settings.XINFENG_SYNC`` (built from the
environment in settings.py: ``XINFENG_SYNC_<TARGET>_URL`` / ``_TOKEN`` / ...).
A target without a URL is off: no rows are written for it and nothing is sent."""

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.conf import settings


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    token: str
    inbound_token: str
    adapter_path: str
    batch: int
    timeout: float

    @property
    def adapter(self):
        return load_adapter(self.adapter_path)


@cache
def load_adapter(path: str):
    return import_module(path)


def _sync() -> dict:
    return getattr(settings, "XINFENG_SYNC", {}) or {}


def all_targets() -> list[Target]:
    out = []
    for name, cfg in sorted(_sync().get("targets", {}).items()):
        out.append(
            Target(
                name=name,
                url=(cfg.get("url") or "").rstrip("/"),
                token=cfg.get("token") or "",
                inbound_token=cfg.get("inbound_token") or "",
                adapter_path=cfg.get("adapter") or f"xinfeng.sync.adapters.{name}_v1",
                batch=max(1, int(cfg.get("batch") or 1)),
                timeout=float(cfg.get("timeout") or 10),
            )
        )
    return out


def enabled_targets() -> list[Target]:
    return [t for t in all_targets() if t.url]


def target(name: str) -> Target | None:
    return next((t for t in all_targets() if t.name == name), None)


def setting(key: str, default):
    return _sync().get(key, default)


def max_attempts() -> int:
    return int(setting("max_attempts", 8))


def lease_seconds() -> float:
    return float(setting("lease_seconds", 120))


def relay_every_seconds() -> float:
    return float(setting("relay_every_seconds", 5))


def relay_budget_seconds() -> float:
    return float(setting("relay_budget_seconds", 20))


def backoff_base() -> float:
    return float(setting("backoff_base_seconds", 10))


def backoff_cap() -> float:
    return float(setting("backoff_cap_seconds", 3600))


def breaker_threshold() -> int:
    return int(setting("breaker_threshold", 5))


def breaker_base() -> float:
    return float(setting("breaker_base_seconds", 30))


def breaker_cap() -> float:
    return float(setting("breaker_cap_seconds", 600))
