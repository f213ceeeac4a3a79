"""The pure rules: account formats and their check digits, masking, the tiered rebate."""

from decimal import Decimal

import pytest

from omnipoint.billpay import domain
from omnipoint.billpay.domain import AccountFormat, RebateSchedule, RebateTier

POWER = AccountFormat(10, "luhn")
PHONE = AccountFormat(11, "area", prefix="021")


def test_luhn_check_digit_of_known_numbers():
    assert domain.luhn_digit("7992739871") == "3"  # the textbook example
    assert domain.luhn_digit("411111111111111") == "1"


def test_an_account_is_normalised_and_its_check_digit_checked():
    good = POWER.build("031430200")
    assert domain.account_normalize(f" {good[:4]}-{good[4:]} ", POWER) == good
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    for raw, reason in (
        (bad, "check_digit"),
        (good[:-1], "length"),
        ("03143O2001", "digits"),
        ("", "digits"),
    ):
        with pytest.raises(domain.MalformedAccountError) as e:
            domain.account_normalize(raw, POWER)
        assert e.value.code == "malformed_account" and e.value.details["reason"] == reason


def test_a_telephone_account_carries_the_city_area_code():
    assert domain.account_normalize("021-55667788", PHONE) == "02155667788"
    with pytest.raises(domain.MalformedAccountError) as e:
        domain.account_normalize("025-55667788", PHONE)
    assert e.value.details["reason"] == "prefix"


def test_names_are_masked():
    assert [domain.mask_name(n) for n in ("张三丰", "李四", "王", "欧阳小明")] == [
        "张*丰",
        "李*",
        "*",
        "欧**明",
    ]


@pytest.mark.parametrize("amount", [0, -1, True, 1.5, "100", domain.MAX_BILL + 1])
def test_absurd_amounts_are_refused(amount):
    with pytest.raises(domain.ValidationError):
        domain.amount_check(amount)


BY_COUNT = RebateSchedule("count", (RebateTier(0, 20), RebateTier(3, 30), RebateTier(5, 50)))
BY_AMOUNT = RebateSchedule(
    "amount", (RebateTier(0, rate=Decimal("0.001")), RebateTier(1000_00, rate=Decimal("0.002")))
)


def test_each_bill_accrues_at_the_tier_its_own_count_reaches():
    accrued = [BY_COUNT.tiers and domain.rebate_accrue(BY_COUNT, count_before=i, amount_before=0, amount=100_00)
               for i in range(6)]  # fmt: skip
    assert accrued == [20, 20, 30, 30, 50, 50]  # the 3rd bill crosses into tier 2, the 5th into tier 3


@pytest.mark.parametrize(("n", "month"), [(0, 0), (2, 40), (3, 90), (4, 120), (5, 250), (9, 450)])
def test_a_month_is_paid_at_the_tier_it_reached_at_each_boundary(n, month):
    assert domain.rebate_month(BY_COUNT, [100_00] * n) == month


def test_the_true_up_pays_the_earlier_bills_the_higher_rate():
    amounts = [100_00] * 5
    accrued = sum(
        domain.rebate_accrue(BY_COUNT, count_before=i, amount_before=0, amount=a)
        for i, a in enumerate(amounts)
    )
    assert accrued == 150
    assert domain.rebate_true_up(BY_COUNT, amounts, accrued) == 250 - 150


def test_a_schedule_by_amount_rounds_half_up_to_the_fen():
    assert (
        domain.rebate_accrue(BY_AMOUNT, count_before=0, amount_before=0, amount=12_50) == 1
    )  # 1.25 fen -> 1
    assert domain.rebate_accrue(BY_AMOUNT, count_before=0, amount_before=0, amount=15_00) == 2  # 1.5 -> 2
    assert domain.rebate_month(BY_AMOUNT, [600_00, 400_00]) == 1_20 + 80  # ¥1000: every bill at 0.2%


def test_tier_progress_and_the_schedule_round_trip():
    p = domain.tier_progress(BY_COUNT, count=4, amount=0)
    assert (p.tier, p.next_threshold, p.to_next) == (1, 5, 1)
    assert domain.tier_progress(BY_COUNT, count=7, amount=0).next_threshold is None
    assert RebateSchedule.from_json(BY_AMOUNT.as_json()) == BY_AMOUNT
    with pytest.raises(ValueError):
        RebateSchedule("count", (RebateTier(5),))


def test_a_schedule_is_read_from_the_console_form_or_refused_whole():
    s = domain.schedule_parse("count", "0:20， 500:30, 2000:40:0.001")
    assert s.tiers == (RebateTier(0, 20), RebateTier(500, 30), RebateTier(2000, 40, Decimal("0.001")))
    for bad in ("", "5:20", "0:20,0:30", "0:x", "0:20:0.5", "0:2000", "0:20,100"):
        with pytest.raises(domain.ValidationError) as e:
            domain.schedule_parse("count", bad)
        assert e.value.code == "invalid_schedule", bad


@pytest.mark.parametrize(
    ("bills", "complaints", "stars"),
    [(0, 0, 1), (99, 0, 1), (100, 0, 2), (500, 0, 3), (2000, 0, 4), (5000, 0, 5), (5000, 50, 5),
     (5000, 51, 4), (5000, 150, 4), (5000, 151, 3), (100, 5, 1), (0, 1, 1)],
)  # fmt: skip
def test_stars_rise_with_the_month_s_bills_and_fall_with_complaints(bills, complaints, stars):
    assert domain.star_rating(bills=bills, complaints=complaints) == stars


def test_a_statement_is_matched_by_our_payment_number():
    from omnipoint.billpay.domain import BookedBill, Difference, statement_match

    ours = [BookedBill("B1", "r1", 100), BookedBill("B2", "r2", 200), BookedBill("B3", "r3", 300)]
    theirs = [BookedBill("B1", "r1", 100), BookedBill("B3", "r3", 310), BookedBill("B4", "r4", 400)]
    assert statement_match(ours, theirs) == [
        Difference("missing_at_biller", "B2", "r2", 200, None),
        Difference("amount_differs", "B3", "r3", 300, 310),
        Difference("missing_here", "B4", "r4", None, 400),
    ]
    assert statement_match(ours, ours) == []
