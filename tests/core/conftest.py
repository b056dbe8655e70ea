"""Fixtures of other test packages that tests here use (an order in a state, an activity)."""

from ..activities.conftest import make_activity  # noqa: F401
from ..orders.conftest import build, world  # noqa: F401
