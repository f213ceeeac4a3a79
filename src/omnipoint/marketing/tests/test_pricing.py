"""The pricing policy on its own: no database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from omnipoint.core.explain import Explanation
from omnipoint.marketing.domain import (
    Context,
    Coupon,
    CouponKind,
    Limits,
    OfferWhy,
    PricedLine,
    Promotion,
    PromotionKind,
    allocate,
    percent_of,
    price_order,
    prize_pick,
    prize_roll_range,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LIST = Explanation("price_list_network", {"price_list": "全国价"})
CTX = Context(channel="web", region_path="/31/3101/310101/", outlet_id=1, member_tier="", now=NOW)
AC = PricedLine(sku_id=1, product_id=10, category_id=100, quantity=1, unit_price=300_00, explanation=(LIST,))
CABLE = PricedLine(sku_id=2, product_id=20, category_id=200, quantity=3, unit_price=33_33)


def off(name: str, fen: int) -> Explanation:
    return Explanation(OfferWhy.PROMOTION, {"promotion": name, "discount_fen": fen})


def promo(pid: int = 1, kind: str = PromotionKind.DISCOUNT, **kw: object) -> Promotion:
    return Promotion(id=pid, name=f"P{pid}", kind=kind, **kw)  # type: ignore[arg-type]


def coupon(code: str = "C1", kind: str = CouponKind.FIXED, **kw: object) -> Coupon:
    return Coupon(code=code, name=code, kind=kind, **kw)  # type: ignore[arg-type]


# --- arithmetic -----------------------------------------------------------------------------


def test_percentages_round_half_up_to_the_fen() -> None:
    assert percent_of(5, Decimal(10)) == 1  # 0.5 fen -> 1
    assert percent_of(4, Decimal(10)) == 0  # 0.4 fen -> 0
    assert percent_of(15, Decimal(10)) == 2  # 1.5 -> 2
    assert percent_of(25, Decimal(10)) == 3  # 2.5 -> 3, not the banker's 2
    assert percent_of(999, Decimal("12.5")) == 125  # 124.875


def test_allocation_adds_up_exactly_and_never_exceeds_a_weight() -> None:
    assert allocate(100, [100, 100, 100]) == [34, 33, 33]
    assert sum(allocate(1000, [333, 333, 334])) == 1000
    assert allocate(5000, [100, 200]) == [100, 200]  # capped at what there is
    assert allocate(7, [0, 0]) == [0, 0]
    for total in range(0, 50):
        shares = allocate(total, [3, 5, 7])
        assert sum(shares) == min(total, 15) and all(s <= w for s, w in zip(shares, [3, 5, 7], strict=True))


# --- promotions -----------------------------------------------------------------------------


def test_no_offers_leaves_list_prices_and_their_explanation() -> None:
    q = price_order([AC, CABLE], CTX)
    assert q.total == 300_00 + 99_99 and q.discount == 0
    assert q.lines[0].explanation == [LIST]


def test_percent_discount_on_a_category_names_the_promotion_on_its_lines_only() -> None:
    p = promo(
        kind=PromotionKind.DISCOUNT, percent_off=Decimal(10), limits=Limits(category_ids=frozenset({100}))
    )
    q = price_order([AC, CABLE], CTX, promotions=[p])
    assert (q.lines[0].discount, q.lines[1].discount) == (30_00, 0)
    assert q.lines[0].explanation == [LIST, off("P1", 30_00)]
    assert q.lines[1].explanation == []
    assert q.promotions == {1: 30_00}


def test_amount_off_per_unit_never_takes_a_line_below_zero() -> None:
    p = promo(kind=PromotionKind.DISCOUNT, amount_off=50_00, limits=Limits(product_ids=frozenset({20})))
    q = price_order([CABLE], CTX, promotions=[p])
    assert q.lines[0].discount == 99_99 and q.lines[0].amount == 0 and q.total == 0


def test_threshold_applies_only_when_covered_items_reach_it() -> None:
    p = promo(kind=PromotionKind.THRESHOLD, threshold=400_00, amount_off=50_00)
    assert price_order([AC, CABLE], CTX, promotions=[p]).discount == 0  # 399.99 < 400
    more = PricedLine(2, 20, 200, 4, 33_33)
    q = price_order([AC, more], CTX, promotions=[p])
    assert q.discount == 50_00
    # spread over both lines in proportion to their price, to the fen
    assert [ln.discount for ln in q.lines] == [
        34_62,
        15_38,
    ]  # 3461.63 and 1538.37: the odd fen to the larger remainder


def test_repeating_threshold_gives_once_per_threshold_reached() -> None:
    p = promo(kind=PromotionKind.THRESHOLD, threshold=100_00, amount_off=10_00, repeat=True)
    assert price_order([AC], CTX, promotions=[p]).discount == 30_00


def test_bundle_price_uses_the_dearest_units() -> None:
    lines = [PricedLine(1, 10, 100, 2, 50_00), PricedLine(2, 20, 100, 1, 30_00)]
    p = promo(kind=PromotionKind.BUNDLE, bundle_quantity=2, bundle_price=80_00)
    q = price_order(lines, CTX, promotions=[p])
    assert q.discount == 20_00  # 50+50 for 80; the 30 unit is left over
    assert [ln.discount for ln in q.lines] == [20_00, 0]


def test_buy_two_get_one_frees_the_cheapest_unit() -> None:
    lines = [PricedLine(1, 10, 100, 2, 50_00), PricedLine(2, 20, 100, 1, 30_00)]
    p = promo(kind=PromotionKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1)
    q = price_order(lines, CTX, promotions=[p])
    assert [ln.discount for ln in q.lines] == [0, 30_00]
    assert price_order(lines[:1], CTX, promotions=[p]).discount == 0  # two units: no free one


def test_stackable_promotions_apply_in_priority_order_on_what_is_left() -> None:
    ten = promo(1, percent_off=Decimal(10), priority=5)
    fifty = promo(2, kind=PromotionKind.THRESHOLD, threshold=250_00, amount_off=50_00, priority=1)
    q = price_order([AC], CTX, promotions=[fifty, ten])
    # 10% of 300 = 30 first; 270 still reaches 250: 50 more
    assert q.discount == 80_00 and q.promotions == {1: 30_00, 2: 50_00}
    assert q.lines[0].explanation[1:] == [off("P1", 30_00), off("P2", 50_00)]
    ten_after = promo(1, percent_off=Decimal(10), priority=0)
    fifty_first = promo(2, kind=PromotionKind.THRESHOLD, threshold=250_00, amount_off=50_00, priority=9)
    assert price_order([AC], CTX, promotions=[ten_after, fifty_first]).discount == 50_00 + 25_00


def test_an_exclusive_promotion_wins_only_when_it_gives_more_and_then_alone() -> None:
    a = promo(1, percent_off=Decimal(10))  # 30
    b = promo(2, kind=PromotionKind.THRESHOLD, threshold=100_00, amount_off=10_00)  # 10 more
    big = promo(3, percent_off=Decimal(20), stackable=False)  # 60 alone
    q = price_order([AC], CTX, promotions=[a, b, big])
    assert q.promotions == {3: 60_00} and q.discount == 60_00
    outdone = Explanation(OfferWhy.PROMOTIONS_OUTDONE, {"promotions": ["P1", "P2"], "winner": "P3"})
    assert outdone in q.notes
    small = promo(3, percent_off=Decimal(5), stackable=False)  # 15 < 30 + 27
    q = price_order([AC], CTX, promotions=[a, b, small])
    assert set(q.promotions) == {1, 2}


def test_equal_offers_go_to_the_higher_priority() -> None:
    x = promo(1, percent_off=Decimal(10), stackable=False, priority=1)
    y = promo(2, amount_off=30_00, stackable=False, priority=7)
    assert price_order([AC], CTX, promotions=[x, y]).promotions == {2: 30_00}


def test_limits_window_channel_region_outlet_tier_each_rule_a_promotion_out() -> None:
    ten = Decimal(10)
    cases = [
        (
            OfferWhy.NOT_YET_VALID,
            {"starts_at": (NOW + timedelta(days=1)).isoformat()},
            Limits(starts_at=NOW + timedelta(days=1)),
        ),
        (OfferWhy.EXPIRED, {"ends_at": NOW.isoformat()}, Limits(ends_at=NOW)),
        (OfferWhy.CHANNEL_ONLY, {"channels": ["app"], "channel": "web"}, Limits(channels=frozenset({"app"}))),
        (OfferWhy.REGION_ONLY, {}, Limits(region_paths=("/32/",))),
        (OfferWhy.OUTLET_ONLY, {}, Limits(outlet_ids=frozenset({99}))),
        (OfferWhy.TIER_ONLY, {"tiers": ["gold"]}, Limits(member_tiers=frozenset({"gold"}))),
        (
            OfferWhy.TIER_ONLY,
            {"tiers": ["金卡"]},
            Limits(member_tiers=frozenset({"gold"}), tier_names=("金卡",)),
        ),
    ]
    for kind, params, limits in cases:
        q = price_order([AC], CTX, promotions=[promo(percent_off=ten, limits=limits)])
        why = Explanation(kind, params).as_json()
        assert q.discount == 0, kind
        assert q.notes == [Explanation(OfferWhy.PROMOTION_NOT_APPLIED, {"promotion": "P1", "why": why})]
    ok = Limits(
        starts_at=NOW,
        ends_at=NOW + timedelta(seconds=1),
        channels=frozenset({"web"}),
        region_paths=("/31/",),
        outlet_ids=frozenset({1}),
    )
    assert price_order([AC], CTX, promotions=[promo(percent_off=ten, limits=ok)]).discount == 30_00


def test_same_price_on_every_channel_unless_a_promotion_is_limited_to_one() -> None:
    app_only = promo(percent_off=Decimal(10), limits=Limits(channels=frozenset({"app"})))
    web = price_order([AC], CTX, promotions=[app_only])
    pos = price_order([AC], Context("pos", CTX.region_path, 1, "", NOW), promotions=[app_only])
    app = price_order([AC], Context("app", CTX.region_path, 1, "", NOW), promotions=[app_only])
    assert web.total == pos.total == 300_00 and app.total == 270_00


# --- coupons --------------------------------------------------------------------------------


def test_fixed_coupon_after_promotions_and_its_explanation() -> None:
    p = promo(percent_off=Decimal(10))
    q = price_order([AC, CABLE], CTX, promotions=[p], coupons=[coupon(value=20_00)])
    assert q.coupons == {"C1": 20_00}
    assert q.total == 300_00 + 99_99 - 30_00 - 10_00 - 20_00
    assert [e.kind for e in q.lines[0].explanation] == [
        "price_list_network",
        OfferWhy.PROMOTION,
        OfferWhy.COUPON,
    ]
    assert q.lines[0].explanation[-1].params == {
        "coupon": "C1",
        "name": "C1",
        "discount_fen": q.lines[0].discount - 30_00,
    }
    assert sum(ln.discount for ln in q.lines) == q.discount


def test_threshold_coupon_needs_its_minimum_on_covered_items() -> None:
    c = coupon(
        kind=CouponKind.THRESHOLD, value=30_00, threshold=300_00, limits=Limits(category_ids=frozenset({200}))
    )
    q = price_order([AC, CABLE], CTX, coupons=[c])
    assert q.coupons == {}
    assert q.refused["C1"] == Explanation(
        OfferWhy.THRESHOLD_NOT_MET, {"threshold_fen": 300_00, "base_fen": 99_99}
    )
    c2 = coupon(kind=CouponKind.THRESHOLD, value=30_00, threshold=300_00)
    assert price_order([AC, CABLE], CTX, coupons=[c2]).coupons == {"C1": 30_00}


def test_percentage_coupon_is_capped_and_rounded_half_up() -> None:
    capped = coupon(kind=CouponKind.PERCENTAGE, percent_off=Decimal(20), max_discount=25_00)
    assert price_order([AC], CTX, coupons=[capped]).coupons == {"C1": 25_00}
    line = PricedLine(3, 30, 300, 1, 5)  # 10% of 5 fen = 0.5 -> 1 fen
    assert (
        price_order([line], CTX, coupons=[coupon(kind=CouponKind.PERCENTAGE, percent_off=Decimal(10))]).total
        == 4
    )


def test_coupon_for_another_channel_is_refused_with_the_reason() -> None:
    c = coupon(value=10_00, limits=Limits(channels=frozenset({"app"})))
    q = price_order([AC], CTX, coupons=[c])
    assert q.refused == {"C1": Explanation(OfferWhy.CHANNEL_ONLY, {"channels": ["app"], "channel": "web"})}
    assert q.total == 300_00


def test_coupon_for_products_not_in_the_order_is_refused() -> None:
    c = coupon(value=10_00, limits=Limits(product_ids=frozenset({999})))
    assert price_order([AC], CTX, coupons=[c]).refused == {"C1": Explanation(OfferWhy.COVERS_NOTHING)}


def test_coupon_never_makes_a_price_negative() -> None:
    q = price_order([CABLE], CTX, coupons=[coupon(value=1000_00)])
    assert q.total == 0 and q.lines[0].discount == 99_99 and q.coupons == {"C1": 99_99}


def test_two_goods_coupons_combine_only_when_both_are_stackable() -> None:
    a, b = coupon("A", value=10_00), coupon("B", value=5_00)
    q = price_order([AC], CTX, coupons=[a, b])
    assert set(q.refused) == {"A", "B"} and q.refused["A"] == Explanation(OfferWhy.NOT_COMBINABLE)
    sa, sb = coupon("A", value=10_00, stackable=True), coupon("B", value=5_00, stackable=True)
    assert price_order([AC], CTX, coupons=[sa, sb]).coupons == {"A": 10_00, "B": 5_00}
    free = coupon("F", kind=CouponKind.FREE_DELIVERY)
    q = price_order([AC], CTX, coupons=[a, free])
    assert q.coupons == {"A": 10_00, "F": 0} and q.free_delivery


def test_expired_coupon_is_refused() -> None:
    c = coupon(value=10_00, limits=Limits(ends_at=NOW - timedelta(seconds=1)))
    assert price_order([AC], CTX, coupons=[c]).refused["C1"].kind == OfferWhy.EXPIRED


@pytest.mark.parametrize("qty", [1, 2, 3, 7])
def test_line_discounts_always_add_up_to_the_order_discount(qty: int) -> None:
    lines = [PricedLine(i, i, 100, qty, 1_01 * i) for i in range(1, 5)]
    promos = [
        promo(1, percent_off=Decimal("7.5")),
        promo(2, kind=PromotionKind.THRESHOLD, threshold=5_00, amount_off=1_11, repeat=True),
        promo(3, kind=PromotionKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1),
    ]
    q = price_order(
        lines, CTX, promotions=promos, coupons=[coupon(kind=CouponKind.PERCENTAGE, percent_off=Decimal(3))]
    )
    assert q.discount == sum(q.promotions.values()) + sum(q.coupons.values())
    assert all(0 <= ln.amount <= ln.gross for ln in q.lines)


# --- the draw -------------------------------------------------------------------------------


def test_prize_pick_by_weight_with_no_prize_last() -> None:
    weights = [(7, 1), (8, 3)]
    assert prize_roll_range(weights, 6) == 10
    picks = [prize_pick(weights, 6, roll) for roll in range(10)]
    assert picks == [7, 8, 8, 8, None, None, None, None, None, None]
    assert prize_pick([(1, 0)], 0, 0) is None
