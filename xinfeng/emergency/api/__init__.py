"""The emergency API (mounted at /api/v1/emergency/): incidents, call-outs and answers,
tasks, stations, sitreps and rosters. Each module registers on ``router``."""

from ninja import Router

router = Router(tags=["emergency"])

from . import callouts, incidents, operations, rosters  # noqa: E402,F401
