"""The volunteers API: one router; each subdomain module registers its endpoints on it.

Profiles first (its routes and the shared helpers), then the other groups.
"""

from xinfeng.volunteers.api import certificates, exchange, imports, ledger, teams  # noqa: F401
from xinfeng.volunteers.api.profiles import router

__all__ = ["router"]
