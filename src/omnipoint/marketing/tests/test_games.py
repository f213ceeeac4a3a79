"""Games through the API: prize pool, weights, per-member attempts, stock and budget."""

import pytest
from django.utils import translation

from omnipoint.core.explain import render
from omnipoint.marketing.models import Coupon, GameAttempt, GamePlayer, Prize
from omnipoint.marketing.services import game_points_deliver_pending
from omnipoint.outlets.domain import SYSTEM

pytestmark = pytest.mark.django_db
G = "/api/v1/marketing/games"


def game(api, network, window, prizes, **body):  # type: ignore[no-untyped-def]
    body = {"name": "幸运大转盘", "kind": "lucky_wheel", "prizes": prizes} | body
    r = api.post(G, window | body, network.auth("hq_admin"))
    assert r.status_code == 201, r.json()
    return r.json()


def coupon_template(api, network, window):  # type: ignore[no-untyped-def]
    body = {"code": "prize5", "name": "5元券", "kind": "fixed", "value": 5_00, "claimable": False}
    r = api.post("/api/v1/marketing/coupon-templates", window | body, network.auth("hq_admin"))
    assert r.status_code == 201
    return r.json()["id"]


def play(api, g, who):  # type: ignore[no-untyped-def]
    return api.post(f"{G}/{g['id']}/play", {}, who["auth"])


def test_a_coupon_prize_is_issued_to_the_winner_and_attempts_are_limited(api, network, customer, window):
    tid = coupon_template(api, network, window)
    g = game(
        api,
        network,
        window,
        [{"name": "5元券", "kind": "coupon", "weight": 1, "stock": 5, "coupon_template_id": tid}],
        attempts_per_member=2,
    )
    shown = api.get(f"{G}/{g['id']}", customer["auth"]).json()
    assert shown["prizes"] == [{"name": "5元券", "kind": "coupon"}]  # no stock or odds leak out
    first = play(api, g, customer)
    assert first.status_code == 201, first.json()
    won = first.json()
    assert won["won"] and won["prize_kind"] == "coupon" and won["delivery"] == "delivered"
    coupon = Coupon.objects.get(code=won["coupon_code"])
    assert coupon.member_id == customer["member"].pk and coupon.source == "game"
    assert play(api, g, customer).status_code == 201
    r = play(api, g, customer)
    assert (r.status_code, r.json()["code"]) == (409, "attempts_exhausted")
    assert GameAttempt.objects.count() == 2 and Prize.objects.get().remaining == 3
    assert len(api.get(f"{G}/{g['id']}/attempts/mine", customer["auth"]).json()) == 2


def test_a_prize_out_of_stock_becomes_no_prize(api, network, customer, other_customer, window):
    g = game(api, network, window, [{"name": "保温杯", "kind": "item", "weight": 1, "stock": 1}])
    assert play(api, g, customer).json()["delivery"] == "to_collect"
    lost = play(api, g, other_customer).json()
    assert not lost["won"] and "ran out" in lost["note"] and lost["delivery"] == "none"
    assert Prize.objects.get().remaining == 0
    why = GameAttempt.objects.get(pk=lost["id"]).why  # data in the row, worded when shown
    assert (
        why == {"kind": "prize_ran_out", "params": {"prize": "保温杯"}}
        and not GameAttempt.objects.get(pk=lost["id"]).note
    )
    with translation.override("zh-hans"):
        assert render(why) == "「保温杯」已送完"


def test_the_game_budget_caps_prizes_across_the_pool(api, network, customer, other_customer, window):
    g = game(
        api,
        network,
        window,
        [{"name": "保温杯", "kind": "item", "weight": 1, "stock": 10}],
        budget_count=1,
    )
    assert play(api, g, customer).json()["won"]
    assert not play(api, g, other_customer).json()["won"]
    assert Prize.objects.get().remaining == 9


def test_points_prizes_are_credited_through_the_loyalty_ledger(api, network, customer, window):
    g = game(
        api, network, window, [{"name": "100积分", "kind": "points", "weight": 1, "stock": 3, "points": 100}]
    )
    won = play(api, g, customer).json()
    assert won["points"] == 100 and won["delivery"] == "delivered"
    assert game_points_deliver_pending(actor=SYSTEM) == 0


def test_no_prize_weight_and_bad_input(api, network, customer, window):
    g = game(
        api, network, window, [{"name": "杯", "kind": "item", "weight": 0, "stock": 1}], no_prize_weight=1
    )
    assert not play(api, g, customer).json()["won"]
    r = api.post(f"{G}/987654/play", {}, customer["auth"])
    assert (r.status_code, r.json()["code"]) == (404, "game_not_found")
    r = api.post(f"{G}/{g['id']}/play", {}, network.auth("outlet_clerk"))
    assert (r.status_code, r.json()["code"]) == (403, "not_member")
    bad = {"name": "x", "kind": "coupon", "weight": 1, "stock": 1, "coupon_template_id": 987654}
    r = api.post(G, window | {"name": "g", "kind": "scratch_card", "prizes": [bad]}, network.auth("hq_admin"))
    assert (r.status_code, r.json()["code"]) == (404, "template_not_found")
    r = api.post(
        G, window | {"name": "g", "kind": "scratch_card", "prizes": [bad]}, network.auth("city_manager")
    )
    assert (r.status_code, r.json()["code"]) == (403, "hq_only")
    assert GamePlayer.objects.get().attempts == 1
