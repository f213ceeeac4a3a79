from datetime import date

import pytest

from omnipoint.identity.domain import (
    IdentityNumberInvalidError,
    check_character,
    keyed_hash,
    mask,
    resident_id_parse,
)

TODAY = date(2026, 12, 7)
# Published examples of GB 11643-1999 numbers (the standard's own and the usual textbook ones).
VALID = ["11010519491231002X", "440524188001010014", "110101199003074477", "310104197001010012"]


@pytest.mark.parametrize("number", VALID)
def test_known_valid_numbers_pass(number):
    parsed = resident_id_parse(number, today=TODAY)
    assert parsed.number == number and parsed.region_code == number[:6]


def test_lower_case_x_and_spaces_are_read():
    assert resident_id_parse(" 110105 19491231 002x ", today=TODAY).number == "11010519491231002X"
    assert resident_id_parse("11010519491231002X", today=TODAY).birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("110105194912310021", "check_digit"),  # the X changed to 1
        ("11010519491231003X", "check_digit"),  # one digit of the sequence changed
        ("11010519491321002X", "birth_date"),  # the 21st day of the 13th month
        ("110105202712310012", "birth_date"),  # born after today
        ("010105194912310021", "region"),
        ("1101051949123100", "format"),  # 16 characters
        ("11010519491231002Y", "format"),
        ("", "format"),
    ],
)
def test_known_invalid_numbers_say_which_rule(number, rule):
    with pytest.raises(IdentityNumberInvalidError) as e:
        resident_id_parse(number, today=TODAY)
    assert e.value.details["rule"] == rule


def test_every_single_digit_change_is_caught():
    """A mod-11 check catches every single-digit error: no altered number passes."""
    number = VALID[1]
    for i in range(17):
        for d in "0123456789":
            if d != number[i]:
                altered = number[:i] + d + number[i + 1 : 17]
                assert check_character(altered) != number[17] or altered == number[:17]


def test_what_is_kept_shows_nothing_of_the_middle():
    assert mask("11010519491231002X") == "110***********002X"
    a, b = keyed_hash("11010519491231002X", key=b"k1"), keyed_hash("11010519491231002X", key=b"k2")
    assert a != b and len(a) == 64 and "19491231" not in a
