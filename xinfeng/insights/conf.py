"""Settings of the insights app, read from Django settings with defaults.

``XINFENG_WALK_MINUTES`` / ``XINFENG_WALK_SPEED_KMH`` (settings or environment) set the
15-minute circle the rollup stores; the coverage page can try other values on the fly.
"""

from xinfeng.places import coverage

# Seconds between periodic rollups (the on-change trigger runs one sooner).
ROLLUP_EVERY_SECONDS = 300
# New-point suggestions stored per city/county/township.
SUGGESTIONS = 3


# The walk of the circle has one home, ``places.coverage`` (also used by "离我最近").
walk_minutes = coverage.walk_minutes
walk_speed_kmh = coverage.walk_speed_kmh
