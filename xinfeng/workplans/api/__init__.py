"""The workplans API (mounted at /api/v1/workplans/): work plans, tasks and evidence
(signed-in readers), demonstration sites (public reads). Each module registers on
``router``."""

from ninja import Router

router = Router(tags=["workplans"])

from . import demosites, plans  # noqa: E402,F401
