"""Explanations are data until shown: the same stored reason reads naturally in each language."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from omnipoint.catalog.domain import PriceCandidate, PriceWhy, choose_price
from omnipoint.core.explain import Explanation, in_english, render, render_all, yuan
from omnipoint.marketing.domain import OfferWhy
from omnipoint.orders.domain import RouteWhy


def read(explanation: object, language: str) -> str:
    with translation.override(language):
        return render(explanation)  # type: ignore[arg-type]


def test_yuan_formats_fen_without_floats() -> None:
    assert yuan(1234) == "¥12.34" and yuan(-5) == "-¥0.05" and yuan(0) == "¥0.00"


def test_a_price_decision_reads_in_chinese_and_english() -> None:
    national = PriceCandidate(1, 300_00, "全国价", "", 0, "")
    shanghai = PriceCandidate(2, 280_00, "上海价", "上海市", 1, "app")
    decision = choose_price([national, shanghai], channel="app")
    assert decision is not None
    stored = [r.as_json() for r in decision.reasons]  # as an order line keeps them
    with translation.override("zh-hans"):
        assert render_all(stored) == [
            "价目表「上海价」，适用于上海市",
            "App渠道专设的价格",
            "优先于另外 1 个适用范围更大的价格",
        ]
    with translation.override("en"):
        assert render_all(stored) == [
            "price list “上海价” for 上海市",
            "a price set for the App channel",
            "overrides 1 less specific price",
        ]


def test_promotion_coupon_and_refusal_read_in_both_languages() -> None:
    promotion = Explanation(OfferWhy.PROMOTION, {"promotion": "家电9折", "discount_fen": 20_00})
    coupon = Explanation(OfferWhy.COUPON, {"coupon": "AB12", "name": "满200减20", "discount_fen": 7_50})
    short = Explanation(OfferWhy.THRESHOLD_NOT_MET, {"threshold_fen": 200_00, "base_fen": 99_99})
    left_out = Explanation(
        OfferWhy.PROMOTION_NOT_APPLIED,
        {
            "promotion": "App专享",
            "why": Explanation(OfferWhy.CHANNEL_ONLY, {"channels": ["app", "pos"]}).as_json(),
        },
    )
    assert read(promotion, "zh-hans") == "促销「家电9折」：-¥20.00"
    assert read(promotion, "en") == "Promotion “家电9折”: -¥20.00"
    assert read(coupon, "zh-hans") == "优惠券「满200减20」（AB12）：-¥7.50"
    assert read(short.as_json(), "zh-hans") == "适用商品需满¥200.00，本单只有¥99.99"
    assert in_english(short) == "needs eligible items worth ¥200.00; this order has ¥99.99"
    assert read(left_out, "zh-hans") == "促销「App专享」未使用：仅限通过App、柜台(POS)下单"
    assert (
        read(left_out, "en")
        == "Promotion “App专享” not applied: only when ordering through App, Counter (POS)"
    )


def test_a_routing_decision_reads_in_both_languages_with_plurals() -> None:
    one = Explanation(RouteWhy.SHIPS, {"location": "SH-01", "count": 1, "km": 3.14})
    two = Explanation(RouteWhy.SHIPS, {"location": "SH-01", "count": 2, "km": 12.0})
    assert read(one, "en") == "SH-01 ships 1 line, 3.1 km away"
    assert read(two, "en") == "SH-01 ships 2 lines, 12.0 km away"
    assert read(two, "zh-hans") == "SH-01 发出 2 种商品，相距 12.0 公里"


def test_a_reason_stored_as_text_before_stays_readable() -> None:
    assert render("price list '全国价' for the whole network") == "price list '全国价' for the whole network"


def test_a_kind_nobody_registered_fails_loudly() -> None:
    with pytest.raises(ImproperlyConfigured):
        render(Explanation("no_such_kind"))


class _Some(dict[str, object]):
    """Any parameter a text asks for: 2 (a count that takes the plural)."""

    def __missing__(self, key: str) -> object:
        return 2


def test_every_kind_has_a_text_and_a_chinese_translation() -> None:
    from omnipoint.core.explain import _TEXTS

    assert {*PriceWhy, *OfferWhy, *RouteWhy} <= _TEXTS.keys()
    for kind, text in _TEXTS.items():
        with translation.override("en"):
            english = str(text % _Some())
        with translation.override("zh-hans"):
            chinese = str(text % _Some())
        assert chinese != english, kind
