"""Identity verification (邮政认证): the resident identity number's rules (GB 11643-1999) and
what may be kept of it. Pure, no ORM.

A number is 17 digits (6 of the region of first registration, 8 of the birth date, 3 of
sequence) and a check character: the sum of each digit times 2^(17-i) mod 11, read through
``CHECK``. Only a masked form (the first three and last four characters) and a keyed hash (to
find the same person again) are kept; the number itself never reaches the database.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from omnipoint.core.errors import ValidationError

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK = "10X98765432"  # the check character for each sum mod 11


class IdentityNumberInvalidError(ValidationError):
    code = "identity_number_invalid"


@dataclass(frozen=True)
class ResidentId:
    """A number that passed every check: its region code and birth date, and what is kept."""

    number: str
    region_code: str
    birth_date: date

    @property
    def masked(self) -> str:
        return mask(self.number)


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def resident_id_parse(raw: str, *, today: date) -> ResidentId:
    """The number in ``raw`` (spaces ignored, a lower-case x taken as X), or
    ``identity_number_invalid`` saying which rule it breaks."""
    number = "".join(str(raw or "").split()).upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentityNumberInvalidError("an identity number is 17 digits and a digit or X", rule="format")
    if number[0] == "0":
        raise IdentityNumberInvalidError("the region code is not one", rule="region")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityNumberInvalidError("the birth date is not a date", rule="birth_date") from None
    if not date(1850, 1, 1) <= born <= today:
        raise IdentityNumberInvalidError("the birth date is out of range", rule="birth_date")
    if check_character(number[:17]) != number[17]:
        raise IdentityNumberInvalidError("the check character does not match", rule="check_digit")
    return ResidentId(number=number, region_code=number[:6], birth_date=born)


def mask(number: str) -> str:
    """What a page or a record may show of a number: 110***********002X."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def keyed_hash(number: str, *, key: bytes) -> str:
    """The same person's number gives the same value under one key; without the key nothing
    can be learnt from it (an unkeyed hash of 18 digits with a known structure is guessable)."""
    return hmac.new(key, b"resident-id:" + number.encode(), hashlib.sha256).hexdigest()


def name_clean(raw: str) -> str:
    name = " ".join(str(raw or "").split())
    if not 1 <= len(name) <= 40:
        raise ValidationError("give the name on the document (at most 40 characters)", code="name_invalid")
    return name


@dataclass(frozen=True)
class PartnerActor:
    """A partner system (a bank, an agency) asking through the API whether a member is verified:
    it sees only the answer, and only for members who consented to that partner."""

    user_id: int
    partner_id: int
    staff_id: None = None
    member_id: None = None
    is_system: bool = False
