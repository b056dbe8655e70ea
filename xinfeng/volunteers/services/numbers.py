"""Platform numbers: 志愿者编号 ``ZY<year><6 digits>`` and 证明编号 ``ZM<year><6 digits>``.

The volunteer number is what pages, exports and certificates show instead of any ID number.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfeng.volunteers.models import NumberSequence

VOLUNTEER_PREFIX = "ZY"
CERTIFICATE_PREFIX = "ZM"


def _take(key: str, count: int) -> int:
    """Reserve ``count`` numbers under ``key``; returns the first. Locks the counter row."""
    with transaction.atomic():
        row = NumberSequence.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(key=key, last_value=0)
            except IntegrityError:
                pass  # created by a concurrent transaction; lock it below
            row = NumberSequence.objects.select_for_update().get(key=key)
        first = row.last_value + 1
        NumberSequence.objects.filter(pk=row.pk).update(last_value=row.last_value + count)
    return first


def _numbers(prefix: str, count: int) -> list[str]:
    year = timezone.localdate().year
    first = _take(f"{prefix}{year}", count)
    return [f"{prefix}{year}{n:06d}" for n in range(first, first + count)]


def volunteer_numbers(count: int) -> list[str]:
    return _numbers(VOLUNTEER_PREFIX, count)


def volunteer_number() -> str:
    return volunteer_numbers(1)[0]


def certificate_number() -> str:
    return _numbers(CERTIFICATE_PREFIX, 1)[0]
