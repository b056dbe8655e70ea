"""Validation of identity documents and phone numbers for real-name registration.

Resident ID numbers follow GB 11643-1999: 17 digits (6 area code, 8 birth date, 3 sequence,
the sequence's parity giving the sex) and an ISO 7064 MOD 11-2 check character.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from xinfeng.core.errors import ValidationFailed
from xinfeng.core.validation import BIRTH, check_window
from xinfeng.volunteers.choices import Gender, IdType

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
OTHER_ID_PATTERNS = {
    # 港澳居民来往内地通行证: H/M + 8 digits (older cards: + 10 digits).
    IdType.HK_MACAO: re.compile(r"^[HM]\d{8}(\d{2})?$"),
    # 台湾居民来往大陆通行证: 8 digits (older cards: 10 characters).
    IdType.TAIWAN: re.compile(r"^(\d{8}|[A-Z0-9]{10})$"),
    IdType.PASSPORT: re.compile(r"^[A-Z0-9]{5,17}$"),
}
MAX_AGE_YEARS = 120


@dataclass(frozen=True)
class IdFacts:
    """What a valid ID number says about its holder (only resident IDs carry these)."""

    number: str
    birth_date: date | None
    gender: str | None


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def check_birth_date(birth_date: date) -> None:
    today = timezone.localdate()
    if birth_date > today:
        raise ValidationFailed(_("出生日期不能晚于今天。"), code="birth_date_future")
    if today.year - birth_date.year > MAX_AGE_YEARS:
        raise ValidationFailed(_("出生日期不合理。"), code="birth_date_invalid")
    check_window(BIRTH, birth_date=birth_date)  # the one rule pages, API and imports share


def check_id_number(id_type: str, value: str) -> IdFacts:
    """Validate an ID number of the given type and return its normalised form and facts.

    Raises ``ValidationFailed`` with a message saying what is wrong (format, check digit,
    birth date inside the number)."""
    number = normalize_id_number(value)
    if not number:
        raise ValidationFailed(_("请填写证件号码。"), code="id_required")
    if id_type == IdType.RESIDENT_ID:
        if not re.fullmatch(r"\d{17}[\dX]", number):
            raise ValidationFailed(
                _("居民身份证号码应为 18 位，前 17 位为数字，最后一位为数字或 X。"),
                code="id_format",
            )
        if resident_id_check_char(number[:17]) != number[17]:
            raise ValidationFailed(
                _("居民身份证号码校验位不正确，请核对后重新输入。"), code="id_checksum"
            )
        try:
            birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError as exc:
            raise ValidationFailed(
                _("居民身份证号码中的出生日期无效。"), code="id_birth_date"
            ) from exc
        check_birth_date(birth)
        gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
        return IdFacts(number=number, birth_date=birth, gender=gender)
    pattern = OTHER_ID_PATTERNS.get(id_type)
    if pattern is None:
        raise ValidationFailed(_("证件类型无效。"), code="id_type")
    if not pattern.fullmatch(number):
        raise ValidationFailed(_("证件号码格式不正确。"), code="id_format")
    return IdFacts(number=number, birth_date=None, gender=None)


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s-]+", "", value or "").removeprefix("+86")


def check_phone(value: str, *, required: bool = True, label: str | None = None) -> str:
    phone = normalize_phone(value)
    if not phone:
        if required:
            raise ValidationFailed(_("请填写手机号码。"), code="phone_required")
        return ""
    if not PHONE_RE.fullmatch(phone):
        raise ValidationFailed(
            _("%(label)s应为 11 位手机号码。") % {"label": label or _("手机号码")},
            code="phone_format",
        )
    return phone
