"""The activities API: one router; the activity endpoints (with the shared helpers) first,
then taking part (sign-up, check-in), hours confirmation, and site settings, rooms, news and
reports."""

from . import hours, rooms_news, taking_part  # noqa: F401  (register their endpoints)
from .activities import router

__all__ = ["router"]
