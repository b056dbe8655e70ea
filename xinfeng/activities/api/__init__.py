"""The activities API: one router; the activity endpoints (with the shared helpers) first,
then hours confirmation, and site settings, rooms, news and reports."""

from . import hours, rooms_news  # noqa: F401  (register their endpoints on the router)
from .activities import router

__all__ = ["router"]
