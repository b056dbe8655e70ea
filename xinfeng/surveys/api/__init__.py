"""The surveys API: one router. ``surveys`` holds the definition for the phone, answering
and the staff list; PART 2 adds its modules (results, needs) and imports them here."""

from .surveys import router

__all__ = ["router"]
