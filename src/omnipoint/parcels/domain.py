"""The pure rules of parcels (no ORM): UPU S10 tracking numbers, what a parcel may weigh and
measure, its price by the rate table (zone by origin and destination province x weight steps),
the states a parcel moves through and their rank, and how names are masked for anyone.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from omnipoint.core.errors import ValidationError

# --- UPU S10 tracking numbers ------------------------------------------------------------------

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """The S10 check digit of an eight-digit serial: weights 8 6 4 2 3 5 9 7, then 11 - sum mod
    11, where 10 becomes 0 and 11 becomes 5."""
    if len(serial) != 8 or not serial.isascii() or not serial.isdigit():
        raise ValueError("an S10 serial is eight digits")
    check = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def s10_make(service: str, serial: int, country: str) -> str:
    """A tracking number: two letters of service, the serial, its check digit, the country."""
    digits = f"{serial:08d}"
    return f"{service}{digits}{s10_check_digit(digits)}{country}"


class MalformedTrackingNumberError(ValidationError):
    code = "malformed_tracking_number"


def s10_normalise(raw: str) -> str:
    """A tracking number as entered (spaces and lower case allowed), checked: two letters,
    eight digits, the right check digit, two letters. Raises ``malformed_tracking_number``."""
    text = "".join(raw.split()).upper() if isinstance(raw, str) else ""
    ok = (
        len(text) == 13
        and text.isascii()
        and text[:2].isalpha()
        and text[11:].isalpha()
        and text[2:11].isdigit()
    )
    if not ok or s10_check_digit(text[2:10]) != int(text[10]):
        raise MalformedTrackingNumberError(
            "a tracking number is two letters, eight digits, a check digit and a country code",
            number=text[:20],
        )
    return text


# --- what a parcel may be ---------------------------------------------------------------------


class Service(models.TextChoices):
    STANDARD = "standard", _("Standard")
    EXPRESS = "express", _("Express")


SERVICE_PREFIX = {Service.STANDARD: "CP", Service.EXPRESS: "EA"}  # the S10 service indicators

MAX_WEIGHT_G = 30_000
MAX_SIDE_CM = 150
MAX_LENGTH_AND_GIRTH_CM = 300  # longest side + 2 x (the other two)
MAX_DECLARED_FEN = 20_000_00
VOLUMETRIC_DIVISOR = 6000  # cm^3 per kg


class OverWeightError(ValidationError):
    code = "over_weight"


class OverSizeError(ValidationError):
    code = "over_size"


@dataclass(frozen=True)
class Dimensions:
    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int

    def check(self) -> "Dimensions":
        """Refuse what the counter may not accept: nothing weighs or measures zero; over the
        weight limit is ``over_weight``, over a side or length-and-girth limit ``over_size``."""
        values = (self.weight_g, self.length_cm, self.width_cm, self.height_cm)
        if any(isinstance(v, bool) or not isinstance(v, int) or v <= 0 for v in values):
            raise ValidationError("weight and sides are positive whole numbers", code="invalid_dimensions")
        if self.weight_g > MAX_WEIGHT_G:
            raise OverWeightError(
                f"a parcel weighs at most {MAX_WEIGHT_G} g", weight_g=self.weight_g, max_g=MAX_WEIGHT_G
            )
        sides = sorted((self.length_cm, self.width_cm, self.height_cm), reverse=True)
        if sides[0] > MAX_SIDE_CM or sides[0] + 2 * (sides[1] + sides[2]) > MAX_LENGTH_AND_GIRTH_CM:
            raise OverSizeError(
                f"a side is at most {MAX_SIDE_CM} cm, length and girth at most {MAX_LENGTH_AND_GIRTH_CM} cm",
                max_side_cm=MAX_SIDE_CM,
            )
        return self

    @property
    def chargeable_g(self) -> int:
        """The greater of the actual and the volumetric weight (L x W x H / 6000, in kg)."""
        volume = self.length_cm * self.width_cm * self.height_cm
        volumetric = -(-volume * 1000 // VOLUMETRIC_DIVISOR)
        return max(self.weight_g, volumetric)


# --- the rate table ---------------------------------------------------------------------------


class Zone(StrEnum):
    LOCAL = "local"  # the same city
    PROVINCE = "province"  # the same province
    REGION = "region"  # the same part of the country (华东, 华北 ...)
    NATIONAL = "national"
    REMOTE = "remote"  # to or from Tibet, Xinjiang, Qinghai


REMOTE_PROVINCES = frozenset({"54", "63", "65"})


@dataclass(frozen=True)
class Step:
    """The price of one zone: ``first_fen`` for up to ``first_g``, then ``step_fen`` for each
    further ``step_g`` or part of it."""

    first_g: int
    first_fen: int
    step_g: int
    step_fen: int

    def price(self, grams: int) -> int:
        extra = max(0, grams - self.first_g)
        return self.first_fen + -(-extra // self.step_g) * self.step_fen


@dataclass(frozen=True)
class RateTable:
    """A network's rates: a step price per service and zone, and zones set by province pair
    where the default (by the adcode's part of the country) does not fit."""

    network: str
    steps: Mapping[tuple[str, str], Step]
    zones: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (from, to) province codes
    insurance_per_mille: int = 5  # of the declared value
    insurance_min_fen: int = 1_00

    def as_json(self) -> dict[str, object]:
        return {
            "network": self.network,
            "steps": {
                f"{s}:{z}": [v.first_g, v.first_fen, v.step_g, v.step_fen] for (s, z), v in self.steps.items()
            },
            "zones": {f"{a}:{b}": z for (a, b), z in self.zones.items()},
            "insurance_per_mille": self.insurance_per_mille,
            "insurance_min_fen": self.insurance_min_fen,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> "RateTable":
        steps: dict[tuple[str, str], Step] = {}
        for key, v in dict(data["steps"]).items():  # type: ignore[call-overload]
            service, zone = str(key).split(":")
            steps[(service, zone)] = Step(*(int(x) for x in v))
        zones = {tuple(str(k).split(":")): str(z) for k, z in dict(data.get("zones") or {}).items()}  # type: ignore[call-overload]
        return cls(
            network=str(data["network"]),
            steps=steps,
            zones=zones,  # type: ignore[arg-type]
            insurance_per_mille=int(data.get("insurance_per_mille", 5)),  # type: ignore[call-overload]
            insurance_min_fen=int(data.get("insurance_min_fen", 1_00)),  # type: ignore[call-overload]
        )


class InvalidRateTableError(ValidationError):
    code = "invalid_rate_table"


MAX_RATE_FEN = 10_000_00  # a first weight or a step at most 10,000 yuan
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


def rate_table_build(
    network: str,
    *,
    steps: Mapping[tuple[str, str], tuple[int, int, int, int]],
    zones: Mapping[tuple[str, str], str],
    insurance_per_mille: int,
    insurance_min_fen: int,
) -> "RateTable":
    """A network's rate table as entered, checked whole: a price for every service in every
    zone (first grams and fen, then each further step's grams and fen; grams 1..30 kg, fen
    0..10,000 yuan, the first weight's fen above zero), zones set only between known provinces,
    insurance 0..100 per mille with a minimum of at most 100 yuan. Refused whole
    (``invalid_rate_table``, naming what is wrong)."""
    wanted = {(str(s), str(z)) for s in Service for z in Zone}
    if set(steps) != wanted:
        missing = sorted(f"{s}:{z}" for s, z in wanted - set(steps))
        extra = sorted(f"{s}:{z}" for s, z in set(steps) - wanted)
        raise InvalidRateTableError("a price for every service in every zone", missing=missing, unknown=extra)
    for (s, z), (first_g, first_fen, step_g, step_fen) in steps.items():
        ok = (
            0 < first_g <= MAX_WEIGHT_G and 0 < step_g <= MAX_WEIGHT_G
            and 0 < first_fen <= MAX_RATE_FEN and 0 <= step_fen <= MAX_RATE_FEN
        )  # fmt: skip
        if not ok:
            raise InvalidRateTableError("weights 1..30000 g, prices 0..1000000 fen", step=f"{s}:{z}")
    for (a, b), z in zones.items():
        if a not in PROVINCE_CODES or b not in PROVINCE_CODES or z not in {str(x) for x in Zone}:
            raise InvalidRateTableError("a zone between two provinces (two-digit codes)", zone=f"{a}:{b}")
    if not (0 <= insurance_per_mille <= 100 and 0 <= insurance_min_fen <= 100_00):
        raise InvalidRateTableError("insurance 0..100 per mille, a minimum of 0..10000 fen")
    return RateTable(
        network=network,
        steps={k: Step(*v) for k, v in sorted(steps.items())},
        zones=dict(sorted(zones.items())),
        insurance_per_mille=insurance_per_mille,
        insurance_min_fen=insurance_min_fen,
    )


def _region_of(province: str) -> str:
    return province[:1]  # 1 华北, 2 东北, 3 华东, 4 中南, 5 西南, 6 西北


def zone_of(table: RateTable, origin: str, destination: str) -> Zone:
    """The zone between two districts (six-digit adcodes): the table's own by province pair
    first, else the same city, province, part of the country, remote, or national."""
    a, b = origin[:2], destination[:2]
    if (a, b) in table.zones:
        return Zone(table.zones[(a, b)])
    if origin[:4] == destination[:4]:
        return Zone.LOCAL
    if a == b:
        return Zone.PROVINCE
    if a in REMOTE_PROVINCES or b in REMOTE_PROVINCES:
        return Zone.REMOTE
    return Zone.REGION if _region_of(a) == _region_of(b) else Zone.NATIONAL


def _steps(first: int, step: int, factor: float = 1.0) -> tuple[int, int]:
    return int(first * factor), int(step * factor)


def _default_steps() -> dict[tuple[str, str], Step]:
    base = {
        Zone.LOCAL: (8_00, 1_00),
        Zone.PROVINCE: (10_00, 2_00),
        Zone.REGION: (12_00, 4_00),
        Zone.NATIONAL: (15_00, 6_00),
        Zone.REMOTE: (20_00, 12_00),
    }
    steps: dict[tuple[str, str], Step] = {}
    for zone, (first, step) in base.items():
        steps[(Service.STANDARD, zone)] = Step(1000, first, 1000, step)
        ef, es = _steps(first, step, 1.5)
        steps[(Service.EXPRESS, zone)] = Step(500, ef + 2_00, 500, es // 2 + 50)
    return steps


DEFAULT_TABLE = RateTable(network="post", steps=_default_steps())


class NoRateError(ValidationError):
    code = "no_rate"


@dataclass(frozen=True)
class Quote:
    zone: Zone
    chargeable_g: int
    postage: int
    insurance: int

    @property
    def total(self) -> int:
        return self.postage + self.insurance

    def as_json(self) -> dict[str, object]:
        return {
            "zone": str(self.zone),
            "chargeable_g": self.chargeable_g,
            "postage": self.postage,
            "insurance": self.insurance,
        }


def quote(
    table: RateTable, *, service: str, origin: str, destination: str, size: Dimensions, declared_fen: int
) -> Quote:
    """The price of a parcel: its zone's step price on the chargeable weight, plus insurance on
    the declared value (``insurance_per_mille``, at least ``insurance_min_fen``; none when
    nothing is declared)."""
    size.check()
    if (
        isinstance(declared_fen, bool)
        or not isinstance(declared_fen, int)
        or not 0 <= declared_fen <= MAX_DECLARED_FEN
    ):
        raise ValidationError(f"a declared value is 0..{MAX_DECLARED_FEN} fen", code="invalid_declared_value")
    zone = zone_of(table, origin, destination)
    step = table.steps.get((service, str(zone)))
    if step is None:
        raise NoRateError(f"the {table.network} table has no {service} rate to zone {zone}", zone=str(zone))
    grams = size.chargeable_g
    insurance = (
        max(table.insurance_min_fen, -(-declared_fen * table.insurance_per_mille // 1000))
        if declared_fen
        else 0
    )
    return Quote(zone=zone, chargeable_g=grams, postage=step.price(grams), insurance=insurance)


# --- states and events ------------------------------------------------------------------------


class ParcelState(models.TextChoices):
    CREATED = "created", _("Awaiting payment")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_TRANSIT = "in_transit", _("In transit")
    ARRIVED = "arrived", _("Arrived at the outlet")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    COLLECTED = "collected", _("Collected at the outlet")
    VOIDED = "voided", pgettext_lazy("parcels", "Voided")  # by the counter, its money given back
    EXPIRED = "expired", pgettext_lazy("parcels", "Expired unpaid")


# An event moves the parcel only forwards: a late "dispatched" after "delivered" joins the
# timeline and leaves the state alone.
RANK = {
    ParcelState.CREATED: 0,
    ParcelState.ACCEPTED: 10,
    ParcelState.DISPATCHED: 20,
    ParcelState.IN_TRANSIT: 30,
    ParcelState.ARRIVED: 40,
    ParcelState.OUT_FOR_DELIVERY: 50,
    ParcelState.DELIVERED: 60,
    ParcelState.COLLECTED: 60,
    # The ends that are no delivery: above every event, so nothing moves a parcel out of them.
    ParcelState.VOIDED: 100,
    ParcelState.EXPIRED: 100,
}
# A parcel is voided at its counter before it leaves: unpaid, or paid and not yet dispatched.
VOIDABLE = frozenset({ParcelState.CREATED, ParcelState.ACCEPTED})
SCAN_KINDS = (
    ParcelState.DISPATCHED,
    ParcelState.IN_TRANSIT,
    ParcelState.ARRIVED,
    ParcelState.OUT_FOR_DELIVERY,
    ParcelState.DELIVERED,
)
FINAL = frozenset({ParcelState.DELIVERED, ParcelState.COLLECTED, ParcelState.VOIDED, ParcelState.EXPIRED})


def scan_kind(raw: str) -> ParcelState:
    if raw not in SCAN_KINDS:
        raise ValidationError(f"a scan is one of {', '.join(SCAN_KINDS)}", code="invalid_scan_kind")
    return ParcelState(raw)


class PayMethod(models.TextChoices):
    CASH = "cash", pgettext_lazy("parcels", "Cash")
    WALLET = "wallet", pgettext_lazy("parcels", "Wallet")
    QR = "qr", _("Online (QR code)")


# The payment method the books (clearing) count a parcel's takings under, as for orders.
BOOKS_METHOD = {PayMethod.CASH: "cash", PayMethod.WALLET: "wallet", PayMethod.QR: "online"}


# --- what anyone may see ----------------------------------------------------------------------


def mask_name(name: str) -> str:
    """The first character, the rest starred: 张三 -> 张*, 欧阳娜娜 -> 欧***."""
    name = name.strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


PICKUP_CODE_DIGITS = 6


def pickup_code_ok(code: str) -> bool:
    return isinstance(code, str) and len(code) == PICKUP_CODE_DIGITS and code.isascii() and code.isdigit()
