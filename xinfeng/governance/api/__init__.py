"""The governance API (``/api/v1/governance/``): responsibility (sites' people,
handovers), leading groups (members, meetings, decisions → tasks) and the guiding
departments' figures. Every operation needs a signed-in reader; scope is applied by the
selectors (outside it: 404)."""

from ninja import Router

router = Router(tags=["governance"])

from . import departments, groups, responsibility  # noqa: E402,F401
