"""Money is integer fen (分) everywhere; yuan text only at the edges, through Decimal."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from xinfeng.core.errors import ValidationFailed


def fen_to_yuan(fen: int) -> str:
    """``123456`` → ``"1234.56"`` (exact, no float)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def yuan_to_fen(text) -> int:
    """``"1234.56"`` → ``123456``; at most two decimals; floats are refused."""
    if isinstance(text, float):
        raise TypeError("money is never a float")
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValidationFailed(_("金额格式不正确。"), code="invalid_amount") from exc
    if not value.is_finite() or value != value.quantize(Decimal("0.01"), ROUND_HALF_UP):
        raise ValidationFailed(_("金额最多两位小数。"), code="invalid_amount")
    return int(value * 100)
