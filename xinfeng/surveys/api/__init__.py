"""The surveys API: one router. ``surveys`` holds the definition for the phone, answering
and the staff list; ``results`` adds results, clusters and needs to it."""

from . import results as _results  # noqa: F401 - registers its operations on the router
from .surveys import router

__all__ = ["router"]
