"""Order helpers for the order tests. Model factories are in tests/factories.py (the names
below are re-exported from there for older imports; import them from tests.factories)."""

from django.utils import timezone

from tests.factories import ProjectFactory, TeamFactory, VolunteerFactory, join
from xinfeng.orders.models import Order

__all__ = ["ProjectFactory", "TeamFactory", "VolunteerFactory", "join", "make_order"]


def make_order(**kw) -> Order:
    """An order with exactly the given fields (any state), submitted now by default."""
    now = timezone.now()
    kw.setdefault("title", "帮忙体检")
    kw.setdefault("submitted_at", now)
    return Order.objects.create(**kw)
