"""Settings of the insights app, read from Django settings with defaults.

``XINFENG_WALK_MINUTES`` / ``XINFENG_WALK_SPEED_KMH`` (settings or environment) set the
15-minute circle the rollup stores; the coverage page can try other values on the fly.
"""

import os

from django.conf import settings

from xinfeng.places.coverage import DEFAULT_WALK_MINUTES, DEFAULT_WALK_SPEED_KMH

# Seconds between periodic rollups (the on-change trigger runs one sooner).
ROLLUP_EVERY_SECONDS = 300
# New-point suggestions stored per city/county/township.
SUGGESTIONS = 3


def _number(name: str, default: float) -> float:
    value = getattr(settings, name, None) or os.environ.get(name)
    try:
        x = float(value) if value is not None else default
    except ValueError:
        return default
    return x if x > 0 else default


def walk_minutes() -> float:
    return _number("XINFENG_WALK_MINUTES", DEFAULT_WALK_MINUTES)


def walk_speed_kmh() -> float:
    return _number("XINFENG_WALK_SPEED_KMH", DEFAULT_WALK_SPEED_KMH)
