"""Commission rules as pure policy: which rule wins, what it pays, what a return takes back."""

from decimal import Decimal

import pytest

from omnipoint.core.errors import ValidationError
from omnipoint.showrooms import domain
from omnipoint.showrooms.domain import Line, Rule

SH_CITY = "/31/3101/"
SH_DISTRICT = "/31/3101/310101/"

DEFAULT_HQ = Rule(1, "/", None, None, Decimal("0.01"), None)
CATEGORY_HQ = Rule(2, "/", None, 20, None, 300)  # 3 yuan per unit in category 20
PARENT_CATEGORY_HQ = Rule(3, "/", None, 10, Decimal("0.03"), None)  # category 10 is 20's parent
PRODUCT_HQ = Rule(4, "/", 7, None, Decimal("0.05"), None)
DEFAULT_CITY = Rule(5, SH_CITY, None, None, Decimal("0.02"), None)
DEFAULT_NANJING = Rule(6, "/32/3201/", None, None, Decimal("0.1"), None)


def line(
    product_id: int = 7, categories: tuple[int, ...] = (20, 10), quantity: int = 2, amount: int = 10_000
) -> Line:
    return Line(line_id=1, product_id=product_id, categories=categories, quantity=quantity, amount=amount)


def test_a_product_rule_beats_a_category_rule_beats_the_default():
    rules = [DEFAULT_HQ, CATEGORY_HQ, PARENT_CATEGORY_HQ, PRODUCT_HQ]
    assert domain.rule_for(line(), rules, region_path=SH_DISTRICT) == PRODUCT_HQ
    assert domain.rule_for(line(product_id=8), rules, region_path=SH_DISTRICT) == CATEGORY_HQ
    assert (
        domain.rule_for(line(product_id=8, categories=(10,)), rules, region_path=SH_DISTRICT)
        == PARENT_CATEGORY_HQ
    )
    assert domain.rule_for(line(product_id=8, categories=(30,)), rules, region_path=SH_DISTRICT) == DEFAULT_HQ


def test_a_nearer_category_beats_its_parent_whatever_the_order_of_the_rules():
    rules = [CATEGORY_HQ, PARENT_CATEGORY_HQ]
    assert domain.rule_for(line(product_id=8), rules, region_path=SH_DISTRICT) == CATEGORY_HQ
    assert domain.rule_for(line(product_id=8), rules[::-1], region_path=SH_DISTRICT) == CATEGORY_HQ


def test_a_nearer_node_beats_hq_for_the_same_target_and_other_nodes_do_not_apply():
    rules = [DEFAULT_HQ, DEFAULT_CITY, DEFAULT_NANJING]
    assert domain.rule_for(line(categories=()), rules, region_path=SH_DISTRICT) == DEFAULT_CITY
    assert domain.rule_for(line(categories=()), rules, region_path="/32/3201/320102/") == DEFAULT_NANJING
    assert domain.rule_for(line(categories=()), rules, region_path="/44/4401/440103/") == DEFAULT_HQ
    # A target still beats a nearer node's default.
    assert domain.rule_for(line(), [DEFAULT_CITY, PRODUCT_HQ], region_path=SH_DISTRICT) == PRODUCT_HQ


def test_no_rule_pays_nothing():
    assert domain.rule_for(line(), [], region_path=SH_DISTRICT) is None
    assert domain.commissions([line()], [], region_path=SH_DISTRICT)[0].amount == 0


def test_rates_round_half_up_to_the_fen_and_fixed_amounts_are_per_unit():
    assert (
        domain.line_commission(line(amount=1_050), Rule(1, "/", None, None, Decimal("0.01"), None)) == 11
    )  # 10.5
    assert domain.line_commission(line(amount=1_049), Rule(1, "/", None, None, Decimal("0.01"), None)) == 10
    assert domain.line_commission(line(quantity=3, amount=90_000), CATEGORY_HQ) == 900


def test_a_commission_never_exceeds_what_the_line_was_charged():
    assert domain.line_commission(line(quantity=3, amount=500), CATEGORY_HQ) == 500
    assert domain.line_commission(line(amount=0), PRODUCT_HQ) == 0


def test_commissions_name_the_rule_of_each_line():
    lines = [line(), Line(2, 8, (20, 10), 1, 5_000)]
    out = domain.commissions(lines, [DEFAULT_HQ, CATEGORY_HQ, PRODUCT_HQ], region_path=SH_DISTRICT)
    assert [(c.line_id, c.rule_id, c.amount) for c in out] == [(1, 4, 500), (2, 2, 300)]


def test_returns_reverse_in_proportion_and_all_of_them_add_up_to_the_commission():
    commission, quantity = 1_001, 3
    parts = [
        domain.reversal(commission=commission, quantity=quantity, returned_after=1, returned_now=1),
        domain.reversal(commission=commission, quantity=quantity, returned_after=2, returned_now=1),
        domain.reversal(commission=commission, quantity=quantity, returned_after=3, returned_now=1),
    ]
    assert parts == [333, 334, 334] and sum(parts) == commission
    assert (
        domain.reversal(commission=commission, quantity=quantity, returned_after=3, returned_now=3)
        == commission
    )


@pytest.mark.parametrize("after,now", [(4, 1), (1, 2), (1, 0), (0, 0)])
def test_a_reversal_that_does_not_fit_the_line_is_refused(after, now):
    with pytest.raises(ValidationError):
        domain.reversal(commission=100, quantity=3, returned_after=after, returned_now=now)


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"rate": None, "fixed_per_unit": None}, "invalid_rule"),
        ({"rate": Decimal("0.1"), "fixed_per_unit": 5}, "invalid_rule"),
        ({"rate": Decimal("0.1"), "fixed_per_unit": None, "product_id": 1, "category_id": 2}, "invalid_rule"),
        ({"rate": Decimal("0.6"), "fixed_per_unit": None}, "invalid_rate"),
        ({"rate": Decimal("-0.01"), "fixed_per_unit": None}, "invalid_rate"),
        ({"rate": Decimal("0.00001"), "fixed_per_unit": None}, "invalid_rate"),
        ({"rate": Decimal("NaN"), "fixed_per_unit": None}, "invalid_rate"),
        ({"rate": None, "fixed_per_unit": -1}, "invalid_fixed"),
        ({"rate": None, "fixed_per_unit": domain.MAX_FIXED_PER_UNIT + 1}, "invalid_fixed"),
    ],
)
def test_bad_rules_are_refused(kwargs, code):
    args = {"product_id": None, "category_id": None} | kwargs
    with pytest.raises(ValidationError) as e:
        domain.rule_check(**args)
    assert e.value.code == code


def test_showroom_codes_are_short_and_unambiguous():
    codes = {domain.showroom_code_new() for _ in range(200)}
    assert len(codes) == 200
    assert all(domain.showroom_code_valid(c) and not set(c) & set("01lo") for c in codes)
    assert not domain.showroom_code_valid("../etc")
    assert not domain.showroom_code_valid("ab")
