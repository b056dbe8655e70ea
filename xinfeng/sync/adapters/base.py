"""What every adapter shares: the request shape and small field helpers."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict


def decimal_hours(value) -> float | None:
    """Hours as a decimal number with two places (2.5, not "2:30" or 150 minutes)."""
    if value in (None, ""):
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.01")))


def ack_from(answer: dict, *keys: str) -> str:
    for key in keys:
        value = answer.get(key) if isinstance(answer, dict) else None
        if value not in (None, ""):
            return str(value)[:100]
    return ""
