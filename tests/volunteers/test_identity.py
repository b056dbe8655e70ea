from datetime import date

import pytest

from tests.volunteers.factories import make_id
from xinfeng.core.errors import ValidationFailed
from xinfeng.volunteers.identity import check_id_number, check_phone


def test_known_valid_resident_id_passes():
    # The GB 11643 standard's own example number.
    facts = check_id_number("resident_id", "11010519491231002X")
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.gender == "female"


def test_lowercase_x_and_spaces_are_normalised():
    assert check_id_number("resident_id", " 11010519491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize(
    "number,code",
    [
        ("110105194912310021", "id_checksum"),
        ("11010519491231002", "id_format"),
        ("1101051949123100AX", "id_format"),
    ],
)
def test_bad_resident_ids_are_refused(number, code):
    with pytest.raises(ValidationFailed) as exc:
        check_id_number("resident_id", number)
    assert exc.value.code == code


def test_impossible_birth_date_inside_id_is_refused():
    first17 = "36048219901332001"
    from xinfeng.volunteers.identity import resident_id_check_char

    with pytest.raises(ValidationFailed) as exc:
        check_id_number("resident_id", first17 + resident_id_check_char(first17))
    assert exc.value.code == "id_birth_date"


def test_id_with_future_birth_date_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        check_id_number("resident_id", make_id(date(2999, 1, 1)))
    assert exc.value.code == "birth_date_future"


def test_male_from_odd_sequence_digit():
    assert check_id_number("resident_id", make_id(seq=123)).gender == "male"


def test_phone_format():
    assert check_phone("139 1234 5678") == "13912345678"
    assert check_phone("+8613912345678") == "13912345678"
    with pytest.raises(ValidationFailed):
        check_phone("12345")
    with pytest.raises(ValidationFailed):
        check_phone("23912345678")


def test_other_document_types():
    assert check_id_number("hk_macao", "H12345678").birth_date is None
    with pytest.raises(ValidationFailed):
        check_id_number("passport", "!!")
