"""The assessment API (mounted at /api/v1/assessment/): the funding ledger. Each module
registers on ``router``."""

from ninja import Router

router = Router(tags=["assessment"])

from . import funding, manual, results, schemes  # noqa: E402,F401
