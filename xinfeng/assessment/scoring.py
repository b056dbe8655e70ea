"""The scoring rules of a standard, as pure functions on exact decimals.

- ``ratio``: points × min(figure / target, cap). A zero (or missing) target asks for
  nothing, so it earns the full points; the cap (default 1) bounds over-achievement.
- ``grade``: A/B/C/C# earn 100 / 66 / 33 / 0 % of the points.
- ``deduction``: points − shortfall × per-unit deduction, never below 0 (and never more
  than the points for a negative shortfall).
- ``yesno``: all or nothing.

Scores are rounded half-up to 0.01 point.
"""

from decimal import ROUND_HALF_UP, Decimal

from .choices import Grade, Rule

CENT = Decimal("0.01")
GRADE_SHARE = {
    Grade.A: Decimal("1"),
    Grade.B: Decimal("0.66"),
    Grade.C: Decimal("0.33"),
    Grade.C_SHARP: Decimal("0"),
}


def _d(value) -> Decimal:
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(figure, target, points, cap=1) -> Decimal:
    figure, target, points, cap = _d(figure), _d(target or 0), _d(points), _d(cap or 1)
    if target <= 0:
        return _q(points)
    share = max(Decimal(0), min(figure / target, cap))
    return _q(points * share)


def grade(letter: str, points) -> Decimal:
    if letter not in GRADE_SHARE:
        raise ValueError(f"unknown grade {letter!r}")
    return _q(_d(points) * GRADE_SHARE[letter])


def deduction(shortfall, per_unit, points) -> Decimal:
    points = _d(points)
    lost = max(Decimal(0), _d(shortfall)) * _d(per_unit)
    return _q(max(Decimal(0), points - lost))


def yesno(value: bool, points) -> Decimal:
    return _q(_d(points)) if value else Decimal("0.00")


def score(
    rule: str, *, points, figure=None, target=None, cap=None, per_unit=None, letter=None, done=None
) -> Decimal:
    """The score of one standard under ``rule``."""
    if rule == Rule.RATIO:
        return ratio(figure or 0, target, points, cap)
    if rule == Rule.GRADE:
        return grade(letter, points)
    if rule == Rule.DEDUCTION:
        return deduction(figure or 0, per_unit or 0, points)
    if rule == Rule.YESNO:
        return yesno(bool(done), points)
    raise ValueError(f"unknown rule {rule!r}")
