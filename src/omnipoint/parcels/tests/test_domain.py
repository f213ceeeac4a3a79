"""The pure rules: S10 tracking numbers, the limits, the rate table, the state's rank."""

import pytest

from omnipoint.parcels import domain
from omnipoint.parcels.domain import DEFAULT_TABLE, Dimensions, Service, Zone

GOOD = [
    "EE123456785GB",  # the UPU's own example
    "RR473124829GB",
    "RR123456785CN",
    "CP000000005CN",  # sum 0: 11 -> 5
    "EA000000080CN",  # sum 56, 56 mod 11 = 1: 10 -> 0
    "ea 123 456 785 cn",  # as typed: spaces and lower case are forgiven
]
BAD = [
    "EE123456784GB",  # wrong check digit
    "EE123456780GB",
    "CP000000000CN",  # 0 where 11 -> 5
    "EA000000081CN",  # 1 where 10 -> 0
    "E1123456785GB",  # a digit for a letter
    "EE12345678GB",  # seven digits and the check
    "EE1234567855GB",
    "EE123456785G",
    "EE123456785G1",
    "１２EE3456785GB",  # full-width digits are not ASCII
    "",
    "EE12345678５GB",
]


@pytest.mark.parametrize("number", GOOD)
def test_good_numbers_pass(number):
    assert domain.s10_normalise(number) == "".join(number.split()).upper()


@pytest.mark.parametrize("number", BAD)
def test_bad_numbers_are_refused(number):
    with pytest.raises(domain.MalformedTrackingNumberError) as e:
        domain.s10_normalise(number)
    assert e.value.code == "malformed_tracking_number"


def test_check_digit_rules():
    assert domain.s10_check_digit("12345678") == 5
    assert domain.s10_check_digit("00000000") == 5  # 11 -> 5
    assert domain.s10_check_digit("00000008") == 0  # 10 -> 0
    assert domain.s10_make("CP", 47312482, "CN") == "CP473124829CN"
    for serial in (0, 1, 99_999_999, 12_345_678):
        domain.s10_normalise(domain.s10_make("EA", serial, "CN"))
    with pytest.raises(ValueError):
        domain.s10_check_digit("1234567")


def size(g=1000, l=20, w=10, h=10):  # noqa: E741
    return Dimensions(g, l, w, h)


def test_limits():
    assert size(domain.MAX_WEIGHT_G).check()
    with pytest.raises(domain.OverWeightError):
        size(domain.MAX_WEIGHT_G + 1).check()
    with pytest.raises(domain.OverSizeError):
        size(l=151, w=5, h=5).check()
    size(l=150, w=37, h=38).check()  # 150 + 2 x 75 = 300: at the limit
    with pytest.raises(domain.OverSizeError):
        size(l=150, w=38, h=38).check()
    for bad in (size(0), size(l=0), size(g=-1), Dimensions(True, 1, 1, 1)):  # type: ignore[arg-type]
        with pytest.raises(domain.ValidationError):
            bad.check()


def test_chargeable_weight_is_the_greater_of_actual_and_volumetric():
    assert size(1000, 10, 10, 10).chargeable_g == 1000  # 1000 cm3 -> 167 g
    assert size(500, 60, 40, 30).chargeable_g == 12_000  # 72000 cm3 / 6000 -> 12 kg


def test_zones():
    t = DEFAULT_TABLE
    assert domain.zone_of(t, "310101", "310115") == Zone.LOCAL
    assert domain.zone_of(t, "320102", "320505") == Zone.PROVINCE
    assert domain.zone_of(t, "310101", "320102") == Zone.REGION  # 华东
    assert domain.zone_of(t, "310101", "110101") == Zone.NATIONAL
    assert domain.zone_of(t, "310101", "650102") == Zone.REMOTE
    custom = domain.RateTable(network="x", steps=t.steps, zones={("31", "11"): "region"})
    assert domain.zone_of(custom, "310101", "110101") == Zone.REGION
    assert domain.zone_of(custom, "110101", "310101") == Zone.NATIONAL  # set one way only


def test_price_by_weight_steps():
    step = domain.Step(1000, 10_00, 1000, 2_00)
    assert [step.price(g) for g in (1, 1000, 1001, 2000, 2001, 30_000)] == [
        10_00, 10_00, 12_00, 12_00, 14_00, 68_00,
    ]  # fmt: skip
    q = domain.quote(DEFAULT_TABLE, service=Service.STANDARD, origin="310101", destination="310115",
                     size=size(2500), declared_fen=0)  # fmt: skip
    assert (q.zone, q.postage, q.insurance, q.total) == (Zone.LOCAL, 8_00 + 2 * 1_00, 0, 10_00)
    express = domain.quote(DEFAULT_TABLE, service=Service.EXPRESS, origin="310101", destination="310115",
                           size=size(2500), declared_fen=0)  # fmt: skip
    assert express.postage > q.postage


def test_insurance_on_the_declared_value():
    def ins(declared):  # type: ignore[no-untyped-def]
        return domain.quote(DEFAULT_TABLE, service="standard", origin="310101", destination="310115",
                            size=size(), declared_fen=declared).insurance  # fmt: skip

    assert (ins(0), ins(1), ins(100_00), ins(1000_00)) == (0, 1_00, 1_00, 5_00)
    for bad in (-1, domain.MAX_DECLARED_FEN + 1):
        with pytest.raises(domain.ValidationError):
            ins(bad)


def test_table_round_trips_through_json():
    t = domain.RateTable(network="n", steps=DEFAULT_TABLE.steps, zones={("31", "32"): "local"})
    assert domain.RateTable.from_json(t.as_json()) == t


def test_state_rank_only_forwards_and_masking():
    ranks = [domain.RANK[s] for s in domain.SCAN_KINDS]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert domain.RANK["collected"] == domain.RANK["delivered"]
    assert (domain.mask_name("张三"), domain.mask_name("欧阳娜娜"), domain.mask_name("A")) == (
        "张*",
        "欧***",
        "A*",
    )
    with pytest.raises(domain.ValidationError):
        domain.scan_kind("lost")
