"""The volunteers API: one router; each subdomain module registers its endpoints on it.

Profiles first (its routes and the shared helpers), then the other groups.
"""

from xinfeng.volunteers.api import (  # noqa: F401
    certificates,
    disputes,
    exchange,
    imports,
    ledger,
    teams,
)
from xinfeng.volunteers.api.profiles import router

__all__ = ["router"]
