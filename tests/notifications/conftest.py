"""The order workflow's small world (a station, its operator, a resident, teams and their
leaders), for the notifications those orders send."""

from ..orders.conftest import world  # noqa: F401
