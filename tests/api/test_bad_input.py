"""Every write endpoint refuses bad input with a stable code, a readable message, and no change.

Bad JSON is 400 ``malformed_json``; a body of the wrong shape is 422 ``invalid_input``; an id that
names nothing is a 404 with a code saying what was not found; a request that does not fit the
object's state is a 409. All as ``{code, message, details?}``, and the database as it was.
"""

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from omnipoint.aftersales.tests.world import build_tickets
from omnipoint.appointments.tests.world import build_appointments
from omnipoint.billpay.tests.conftest import build_agents
from omnipoint.core.errors import MAX_QUANTITY
from omnipoint.flashsales.tests.helpers import build_flash, build_flash_claim
from omnipoint.identity.tests.world import build_identity, verify_body
from omnipoint.inventory import services
from omnipoint.inventory.models import Reservation
from omnipoint.members.selectors import actor_for_user
from omnipoint.orders.models import Order
from omnipoint.outlets.domain import SYSTEM
from omnipoint.parcels import sandbox as carrier
from omnipoint.parcels.tests.world import accept_body, build_parcels, event, rates_body
from omnipoint.reconciliation.tests.world import api_world, multipart, read, write
from omnipoint.settlement.tests.world import build_parties, build_settlement

from .conftest import POWER, SHOPPER_MOBILE, World, assert_error, build_shop, snapshot

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
MISSING = 987_654_321
HUGE = MAX_QUANTITY + 1


@dataclass
class Op:
    method: str
    path: str  # as in the OpenAPI schema
    params: Callable[[World], dict]
    good: Callable[[World], dict] | None  # a valid body; None when the operation takes none
    persona: str = "hq_admin"  # who sends it (member-only endpoints: the shopper)
    shop: bool = False  # acts on the shop (see build_shop)
    required: bool = True  # the body has required fields (an empty one is refused as such)
    setup: Callable[[World], object] | None = None  # more of the world (an app's own objects)


def rsv(w, **line):
    return {
        "owner_ref": "cart:x",
        "lines": [{"location_id": w.a.pk, "sku_id": w.skus[2].pk, "quantity": 1, **line}],
    }


def plan(w, **line):
    return {
        "source_id": w.a.pk,
        "destination_id": w.b.pk,
        "lines": [{"sku_id": w.skus[2].pk, "quantity": 1, **line}],
    }


def stock(w, **kw):
    return {"location_id": w.a.pk, "sku_id": w.skus[2].pk, **kw}


def new_outlet(w, **kw):
    body = {
        "code": "SH-N",
        "name": "新店",
        "kind": "franchise",
        "region_code": "310115",
        "lat": 31.2,
        "lng": 121.5,
    }
    return {**body, **kw}


OPS = {
    "token": Op(
        "POST", "/auth/token", lambda w: {}, lambda w: {"username": "hq_admin", "password": "omnipoint"}
    ),
    "token_revoke": Op("POST", "/auth/token/revoke", lambda w: {}, lambda w: {"all": False}, required=False),
    "outlet_create": Op("POST", "/outlets", lambda w: {}, new_outlet),
    "outlet_update": Op(
        "PATCH",
        "/outlets/{outlet_id}",
        lambda w: {"outlet_id": w.a.pk},
        lambda w: {"name": "x"},
        required=False,
    ),
    "price_set": Op(
        "PUT",
        "/catalog/prices",
        lambda w: {},
        lambda w: {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 100},
    ),
    "receipt": Op("POST", "/inventory/receipts", lambda w: {}, lambda w: stock(w, quantity=1)),
    "adjustment": Op(
        "POST", "/inventory/adjustments", lambda w: {}, lambda w: stock(w, delta=1, reason="found")
    ),
    "safety": Op("PUT", "/inventory/safety-stock", lambda w: {}, lambda w: stock(w, safety_stock=1)),
    "reserve": Op("POST", "/inventory/reservations", lambda w: {}, rsv),
    "commit": Op(
        "POST", "/inventory/reservations/{reservation_id}/commit", lambda w: {"reservation_id": w.r_a}, None
    ),
    "release": Op(
        "POST", "/inventory/reservations/{reservation_id}/release", lambda w: {"reservation_id": w.r_a}, None
    ),
    "transfer_create": Op("POST", "/inventory/transfers", lambda w: {}, plan),
    "dispatch": Op(
        "POST", "/inventory/transfers/{transfer_id}/dispatch", lambda w: {"transfer_id": w.t_ab}, None
    ),
    "receive": Op(
        "POST",
        "/inventory/transfers/{transfer_id}/receive",
        lambda w: {"transfer_id": w.ti_ab},
        lambda w: {"lines": []},
        required=False,
    ),
    "cancel": Op(
        "POST", "/inventory/transfers/{transfer_id}/cancel", lambda w: {"transfer_id": w.t_ab}, None
    ),
    "count_open": Op("POST", "/inventory/counts", lambda w: {}, lambda w: {"location_id": w.a.pk}),
    "count_record": Op(
        "POST",
        "/inventory/counts/{count_id}/lines",
        lambda w: {"count_id": w.k_a},
        lambda w: {"sku_id": w.skus[0].pk, "counted": 1},
    ),
    "count_post": Op("POST", "/inventory/counts/{count_id}/post", lambda w: {"count_id": w.k_a}, None),
}


# --- the commerce endpoints (on the shop: see build_shop) ---------------------------------------


def web_order(w, **kw):
    body = {
        "channel": "web",
        "method": "pickup",
        "payment_mode": "at_outlet",
        "pickup_outlet_id": w.a.pk,
        "mobile": "13700000001",
        "lines": [{"sku_id": w.skus[2].pk, "quantity": 1}],
    }
    return {**body, **kw}


def order_line(w, **kw):
    return web_order(w, lines=[{"sku_id": w.skus[2].pk, "quantity": 1, **kw}])


def a_return(w, **kw):
    return {"outlet_id": w.a.pk, "lines": [{"sku_id": w.skus[0].pk, "quantity": 1, **kw}]}


def pickup_of(w, order: str = "ready_a", **kw):
    from omnipoint.orders.models import Order

    o = Order.objects.get(pk=getattr(w, order))
    return {"outlet_id": w.a.pk, "code": o.pickup_code, "order_number": o.number, **kw}


def topup(w, **kw):
    return {"member_id": w.shopper, "outlet_id": w.a.pk, "client_key": "till-1", "amount": 100_00, **kw}


def dates() -> dict[str, str]:
    now = timezone.now()
    return {
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=7)).isoformat(),
    }


def template(w, **kw):
    return {
        "code": "new-tpl",
        "name": "新券",
        "kind": "fixed",
        "value": 5_00,
        "region_code": "310100",
        **dates(),
        **kw,
    }


def promotion(w, **kw):
    return {
        "name": "新促销",
        "kind": "discount",
        "percent_off": "10",
        "region_code": "310100",
        **dates(),
        **kw,
    }


def game(w, prize: dict | None = None, **kw):
    p = {"name": "积分", "kind": "points", "weight": 1, "stock": 5, "points": 5, **(prize or {})}
    return {"name": "新游戏", "kind": "lucky_wheel", "region_code": "310100", **dates(), "prizes": [p], **kw}


def rule(w, **kw):
    return {"product_id": w.skus[0].product_id, "rate": "0.03", **kw}


def order_id(name: str):
    return lambda w: {"order_id": getattr(w, name)}


SHOP_OPS = {
    "order_place": Op("POST", "/orders", lambda w: {}, web_order),
    "order_cancel": Op("POST", "/orders/{order_id}/cancel", order_id("o_a"), lambda w: {"reason": "x"}),
    "order_deliver": Op("POST", "/orders/{order_id}/deliver", order_id("ship_a"), None),
    "order_return": Op("POST", "/orders/{order_id}/returns", order_id("sale_a"), a_return),
    "task_advance": Op("POST", "/tasks/{task_id}/{step}", lambda w: {"task_id": w.t_a, "step": "claim"}, None),
    "hand_over": Op("POST", "/pickups", lambda w: {}, pickup_of),
    "pay_online": Op("POST", "/payments/intents", lambda w: {}, lambda w: {"order_id": w.o_a}),
    "capture": Op("POST", "/payments/capture", lambda w: {}, lambda w: {"order_id": w.o_a, "method": "at_outlet"}),
    "tender": Op("POST", "/payments/tenders", lambda w: {},
                 lambda w: {"order_id": w.o_a, "method": "wallet", "amount": 10_00}),
    "refund": Op("POST", "/payments/{payment_id}/refund", lambda w: {"payment_id": w.pay_a},
                 lambda w: {"amount": 1_00}, required=False),
    "login_code": Op("POST", "/members/login/code", lambda w: {}, lambda w: {"mobile": "13700000001"}),
    "login": Op("POST", "/members/login", lambda w: {}, lambda w: {"mobile": "13700000009", "code": w.login_code}),
    "topup": Op("POST", "/loyalty/topups", lambda w: {}, topup),
    "claim": Op("POST", "/marketing/coupons/claim", lambda w: {}, lambda w: {"template_code": "tpl-sh"},
                persona="shopper"),
    "play": Op("POST", "/marketing/games/{game_id}/play", lambda w: {"game_id": w.game_sh}, None, persona="shopper"),
    "template_create": Op("POST", "/marketing/coupon-templates", lambda w: {}, template),
    "issue": Op("POST", "/marketing/coupon-templates/{template_id}/issue", lambda w: {"template_id": w.tpl_sh},
                lambda w: {"member_id": w.shopper}, required=False),
    "campaign": Op("POST", "/marketing/coupon-templates/{template_id}/campaign",
                   lambda w: {"template_id": w.tpl_sh}, lambda w: {"member_ids": [w.shopper, w.nanjing]}),
    "promotion_create": Op("POST", "/marketing/promotions", lambda w: {}, promotion),
    "promotion_end": Op("POST", "/marketing/promotions/{promotion_id}/end",
                        lambda w: {"promotion_id": w.promo_sh}, None),
    "game_create": Op("POST", "/marketing/games", lambda w: {}, game),
    "showroom_edit": Op("PATCH", "/showrooms/me", lambda w: {}, lambda w: {"title": "欢迎"}, persona="salesperson",
                        required=False),
    "rule_create": Op("POST", "/showrooms/rules", lambda w: {}, rule, required=False),
    "rule_update": Op("PATCH", "/showrooms/rules/{rule_id}", lambda w: {"rule_id": w.rule_sh},
                      lambda w: {"rate": "0.04"}, required=False),
    "rule_delete": Op("DELETE", "/showrooms/rules/{rule_id}", lambda w: {"rule_id": w.rule_sh}, None),
}  # fmt: skip
for _op in SHOP_OPS.values():
    _op.shop = True
OPS.update(SHOP_OPS)
# The books (the world closed the day before yesterday and opened a shift for each clerk).
OPS.update(
    {
        "day_close": Op("POST", "/clearing/days/{day}/close", lambda w: {"day": w.open_day}, None),
        "shift_open": Op("POST", "/clearing/shifts", lambda w: {}, lambda w: {"outlet_id": w.a.pk}),
        "shift_close": Op(
            "POST", "/clearing/shifts/{shift_id}/close", lambda w: {"shift_id": w.shift_a},
            lambda w: {"declared_cash": 0},
        ),
    }
)  # fmt: skip
# Bill payment (the world enrolled outlets A and C and found a bill due, acct_pay, and one the
# shopper's wallet covers, acct_phone).
OPS.update(
    {
        "bill_pay": Op("POST", "/bills/payments", lambda w: {},
                       lambda w: {"outlet_id": w.a.pk, "biller": POWER, "account": w.acct_pay, "amount": w.amount_pay}),
        "bill_pay_by_phone": Op("POST", "/bills/hotline/payments", lambda w: {}, lambda w: {
            "mobile": SHOPPER_MOBILE, "biller": POWER, "account": w.acct_phone, "amount": w.amount_phone}, shop=True),
        "agent_onboard": Op("POST", "/bills/agents", lambda w: {}, lambda w: {
            "code": "SH-NEW", "name": "报刊亭", "region_code": "310101", "lat": 31.2, "lng": 121.4,
            "schedule": {"tiers": [{"threshold": 0, "per_bill": 20}]}, "opening_float": 100_00}),
        "float_fund": Op("POST", "/bills/outlets/{outlet_id}/float", lambda w: {"outlet_id": w.agent_k},
                         lambda w: {"amount": 100_00, "key": "k1"}, setup=build_agents),
    }
)  # fmt: skip
# Reconciliation (omnipoint.reconciliation.tests.world.api_world: yesterday's statement imported
# with a lost notification, the day before not imported). The upload is multipart: see
# test_a_statement_upload_refuses_bad_input_with_a_code.
OPS.update(
    {
        "recon_fetch": Op("POST", "/reconciliation/runs/{day}/fetch", lambda w: {"day": w.recon_open_day}, None,
                          setup=api_world),
        "recon_repair": Op("POST", "/reconciliation/differences/{difference_id}/repair",
                           lambda w: {"difference_id": w.recon_lost}, None, setup=api_world),
        "recon_resolve": Op("POST", "/reconciliation/differences/{difference_id}/resolve",
                            lambda w: {"difference_id": w.recon_lost},
                            lambda w: {"reason": "timing", "note": "次日到账"}, setup=api_world),
    }
)  # fmt: skip
# Reconciliation, matching a day again (the lines as imported, open differences found afresh).
OPS.update(
    {
        "recon_rematch": Op("POST", "/reconciliation/runs/{day}/rematch", lambda w: {"day": w.recon_day}, None,
                            setup=api_world),
    }
)  # fmt: skip
# Settlement's parties (omnipoint.settlement.tests.world.build_parties).
_party = lambda name: lambda w: {"party_id": getattr(w, name)}  # noqa: E731
OPS.update(
    {
        "party_create": Op("POST", "/settlement/parties", lambda w: {},
                           lambda w: {"kind": "agent", "outlet_id": w.a.pk}, setup=build_parties),
        "party_edit": Op("PATCH", "/settlement/parties/{party_id}", _party("party_c"),
                         lambda w: {"rate": "0.12"}, required=False, setup=build_parties),
        "party_rate_set": Op("PUT", "/settlement/parties/{party_id}/rates/{category_id}",
                             lambda w: {"party_id": w.party_sh, "category_id": w.appliances},
                             lambda w: {"rate": "0.15"}, setup=build_parties),
        "party_rate_remove": Op("DELETE", "/settlement/parties/{party_id}/rates/{category_id}",
                                lambda w: {"party_id": w.party_sh, "category_id": w.appliances}, None,
                                setup=build_parties),
        "job_start": Op("POST", "/settlement/jobs", lambda w: {},
                        lambda w: {"kind": "generate", "period": w.period_new}, setup=build_parties),
    }
)  # fmt: skip
# Appointments (omnipoint.appointments.tests.world builds their objects on the shop's world).
_ap_outlet = lambda w: {"outlet_id": w.a.pk}  # noqa: E731
APPOINTMENT_OPS = {
    "service_create": Op("POST", "/appointments/services", lambda w: {},
                         lambda w: {"code": "pension", "name": "养老金认证", "name_en": "Pension check",
                                    "duration_min": 15}),
    "timetable_set": Op("PUT", "/appointments/outlets/{outlet_id}/services/{service_id}",
                        lambda w: {"outlet_id": w.a.pk, "service_id": w.ap_broadband},
                        lambda w: {"openings": [{"weekday": 0, "start": "09:00", "end": "12:00", "capacity": 2}]}),
    "closure_add": Op("POST", "/appointments/outlets/{outlet_id}/closures", _ap_outlet,
                      lambda w: {"day": "2099-01-01", "reason": "元旦"}),
    "booking_create": Op("POST", "/appointments/bookings", lambda w: {}, lambda w: {"slot_id": w.ap_free_a},
                         persona="shopper"),
    "booking_cancel": Op("POST", "/appointments/bookings/{booking_id}/cancel",
                         lambda w: {"booking_id": w.ap_bk_a}, None),
    "booking_reschedule": Op("POST", "/appointments/bookings/{booking_id}/reschedule",
                             lambda w: {"booking_id": w.ap_bk_a}, lambda w: {"slot_id": w.ap_free2_a}),
    "booking_materials": Op("POST", "/appointments/bookings/{booking_id}/materials",
                            lambda w: {"booking_id": w.ap_bk_a}, lambda w: {"checked": ["id_card"]}),
    "check_in": Op("POST", "/appointments/outlets/{outlet_id}/check-in", _ap_outlet, lambda w: {"code": w.ap_now_a}),
    "ticket_take": Op("POST", "/appointments/outlets/{outlet_id}/tickets", _ap_outlet,
                      lambda w: {"service_id": w.ap_passport}),
    "ticket_call": Op("POST", "/appointments/outlets/{outlet_id}/call", _ap_outlet, lambda w: {"counter": "2"}),
    "ticket_finish": Op("POST", "/appointments/tickets/{ticket_id}/finish", lambda w: {"ticket_id": w.ap_tk_a}, None),
    "ticket_skip": Op("POST", "/appointments/tickets/{ticket_id}/skip", lambda w: {"ticket_id": w.ap_tk_a}, None),
}  # fmt: skip
for _op in APPOINTMENT_OPS.values():
    _op.shop, _op.setup = True, build_appointments
OPS.update(APPOINTMENT_OPS)
# Identity verification (omnipoint.identity.tests.world, on the shop's world).
IDENTITY_OPS = {
    "identity_verify": Op("POST", "/identity/verifications", lambda w: {}, verify_body),
    "identity_revoke": Op("POST", "/identity/verifications/{verification_id}/revoke",
                          lambda w: {"verification_id": w.id_v_a}, lambda w: {"reason": "member_asked"}),
    "identity_consent": Op("POST", "/identity/me/consents", lambda w: {}, lambda w: {"partner": w.id_partner_2},
                           persona="shopper"),
    "identity_consent_withdraw": Op("POST", "/identity/me/consents/withdraw", lambda w: {},
                                    lambda w: {"partner": w.id_partner_1}, persona="shopper"),
    "identity_lookup": Op("POST", "/identity/lookups", lambda w: {}, lambda w: {"mobile": SHOPPER_MOBILE},
                          persona="partner"),
    "identity_partner_add": Op("POST", "/identity/partners", lambda w: {}, lambda w: {"name": "Third Bank"}),
}  # fmt: skip
for _op in IDENTITY_OPS.values():
    _op.shop, _op.setup = True, build_identity
OPS.update(IDENTITY_OPS)
# Settlement (omnipoint.settlement.tests.world: last month's statements, one confirmed).
SETTLEMENT_OPS = {
    "period_generate": Op("POST", "/settlement/periods/{period}/generate", lambda w: {"period": w.period_new}, None),
    "statement_confirm": Op("POST", "/settlement/statements/{statement_id}/confirm",
                            lambda w: {"statement_id": w.st_b}, None),
    "statement_pay": Op("POST", "/settlement/statements/{statement_id}/pay", lambda w: {"statement_id": w.st_sh},
                        lambda w: {"key": "pay-1"}),
}  # fmt: skip
for _op in SETTLEMENT_OPS.values():
    _op.setup = build_settlement
OPS.update(SETTLEMENT_OPS)
# Tickets (omnipoint.aftersales.tests.world builds their objects on the shop's world).
_tk = lambda name: lambda w: {"ticket_id": getattr(w, name)}  # noqa: E731
_tk_visit = lambda w: {"technician_id": w.tech_a, "day": str(w.tk_day), "window": "pm"}  # noqa: E731
TICKET_OPS = {
    "ticket_open": Op("POST", "/tickets", lambda w: {},
                      lambda w: {"order_id": w.sale_a, "kind": "repair", "description": "不制冷"}),
    "ticket_schedule": Op("POST", "/tickets/{ticket_id}/schedule", _tk("tk_a"), _tk_visit),
    "ticket_reschedule": Op("POST", "/tickets/{ticket_id}/reschedule", _tk("tk_sched_a"), _tk_visit),
    "ticket_cancel": Op("POST", "/tickets/{ticket_id}/cancel", _tk("tk_a"), lambda w: {"note": "顾客撤回"}),
    "ticket_step": Op("POST", "/tickets/{ticket_id}/steps", _tk("tk_run_a"), lambda w: {"step": "arrive"},
                      persona="tech_a"),
    "ticket_visit": Op("POST", "/tickets/{ticket_id}/visit", _tk("tk_a"),
                       lambda w: {"day": str(w.tk_day), "window": "am"}, persona="shopper"),
}  # fmt: skip
for _op in TICKET_OPS.values():
    _op.shop, _op.setup = True, build_tickets
OPS.update(TICKET_OPS)
# Parcels (omnipoint.parcels.tests.world: p_a paid at A, unpaid_a, held_b waiting at B).
PARCEL_OPS = {
    "parcel_accept": Op("POST", "/parcels", lambda w: {}, accept_body),
    "parcel_pay": Op("POST", "/parcels/{number}/pay", lambda w: {"number": w.unpaid_a}, lambda w: {"method": "cash"}),
    "parcel_scan": Op("POST", "/parcels/{number}/scans", lambda w: {"number": w.p_a},
                      lambda w: {"outlet_id": w.a.pk, "kind": "dispatched"}),
    "parcel_collect": Op("POST", "/parcels/collect", lambda w: {},
                         lambda w: {"outlet_id": w.b.pk, "number": w.held_b, "code": w.held_b_code}),
    "parcel_void": Op("POST", "/parcels/{number}/void", lambda w: {"number": w.p_a}, lambda w: {"reason": "取消"}),
    "parcel_rates_set": Op("PUT", "/parcels/rates", lambda w: {}, rates_body, persona="hq_admin"),
}  # fmt: skip
for _op in PARCEL_OPS.values():
    _op.setup = build_parcels
OPS.update(PARCEL_OPS)
# Flash sales (omnipoint.flashsales.tests.helpers: flash_sh over A and B, flash_nj at C, the
# shopper's flash_claim).
FLASH_OPS = {
    "flash_create": Op("POST", "/flash/sales", lambda w: {}, lambda w: flash_sale_body(w)),
    "flash_end": Op("POST", "/flash/sales/{sale_id}/end", lambda w: {"sale_id": w.flash_sh}, None),
    "flash_claim": Op("POST", "/flash/sales/{sale_id}/claims", lambda w: {"sale_id": w.flash_sh},
                      lambda w: {"quantity": 1}, persona="shopper", shop=True, required=False),
    "flash_checkout": Op("POST", "/flash/claims/{claim_id}/order", lambda w: {"claim_id": w.flash_claim},
                         lambda w: {"pickup_outlet_id": w.a.pk}, persona="shopper", shop=True),
}  # fmt: skip
for _op in FLASH_OPS.values():
    _op.setup = build_flash_claim if _op.shop else build_flash
OPS.update(FLASH_OPS)


# A member's own bills (test_personas.build_member_bills, on top of the shop).
def _my_bill_body(w):  # type: ignore[no-untyped-def]
    return {"biller": POWER, "account": w.acct_mine, "amount": w.amount_mine, "tender": "wallet"}


def _member_bills(w):  # type: ignore[no-untyped-def]
    from .test_personas import build_member_bills

    build_member_bills(w)


OPS["my_bill_pay"] = Op("POST", "/bills/me/payments", lambda w: {}, _my_bill_body, persona="shopper", shop=True,
                        setup=_member_bills)  # fmt: skip
OPS["my_bill_sync"] = Op("POST", "/bills/me/payments/{number}/sync", lambda w: {"number": w.my_online}, None,
                         persona="shopper", shop=True, setup=_member_bills)  # fmt: skip
BODY_OPS = [name for name, op in OPS.items() if op.good is not None]


def flash_sale_body(w, **kw):
    now = timezone.now()
    body = {
        "name": "秒杀",
        "sku_id": w.skus[2].pk,
        "sources": [{"outlet_id": w.a.pk, "quantity": 2}],
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        "per_member_limit": 2,
    }
    return body | kw  # fmt: skip


def prepare(w: World, op: Op) -> None:
    if op.shop:
        build_shop(w)
    if op.setup:
        op.setup(w)


def call(client, w: World, op: Op, body: Any, params: dict | None = None, *, raw: bytes | str | None = None):
    prepare(w, op)
    url = V1 + op.path.format(**(params if params is not None else op.params(w)))
    data = raw if raw is not None else json.dumps(body)
    return client.generic(op.method, url, data, "application/json", **w.net.auth(op.persona))


def refused(client, w, op, body, status, code, params=None, raw=None):
    prepare(w, op)
    before = snapshot()
    resp = call(client, w, op, body, params, raw=raw)
    assert_error(resp, status, code)
    assert snapshot() == before, "a refused request changed the database"
    return resp


def test_every_write_operation_is_in_the_table():
    from omnipoint.config.api import api

    writes = {
        (method.upper(), path, "requestBody" in operation)
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
        if method != "get"
    }
    # The providers' notifications read their raw, signed bodies: see test_forged_notifications
    # and billpay's test_forged_and_malformed_callbacks_change_nothing.
    writes.discard(("POST", f"{V1}/payments/notify/{{provider}}", True))
    writes.discard(("POST", f"{V1}/bills/callback/{{biller}}", True))
    # A provider's statement file, uploaded multipart: see test_a_statement_upload_refuses_bad_input.
    writes.discard(("POST", f"{V1}/reconciliation/runs/{{day}}/statement", True))
    writes.discard(("POST", f"{V1}/parcels/webhooks/{{carrier}}", True))  # see test_parcels_bad_input
    writes.discard(("POST", f"{V1}/virtuals/callback/{{provider}}", True))  # virtuals' tests
    writes.discard(
        ("POST", f"{V1}/appointments/bookings/{{booking_id}}/materials/{{item}}/uploads", True)
    )  # below
    assert writes == {(op.method, V1 + op.path, op.good is not None) for op in OPS.values()}


MALFORMED = ["{bad", '{"a": 1,}', "{'a': 1}", b"\xff\xfe{}", '{"lat": NaN}', "[1, 2", '"unterminated']
NOT_OBJECTS = [True, False, [], [{}], 1, 0, "x", None]


@pytest.mark.parametrize("name", list(OPS))
def test_malformed_and_missing_then_the_good_body(client, world, name):
    """Bad JSON is 400; a body that is not an object of the schema's fields (not an object at
    all, an unknown field beside good ones, required fields missing) is 422; none changes
    anything. Then the good body is accepted: the baseline that the refusals below vary, so that
    each refusal is about the one thing changed.

    Before the parser insisted on an object, ``true`` or ``[]`` passed an operation whose fields
    are all optional as the empty object: a refund of everything."""
    op = OPS[name]
    prepare(world, op)
    if op.good is not None:
        before = snapshot()
        for raw in MALFORMED:
            assert_error(call(client, world, op, None, raw=raw), 400, "malformed_json")
        for body in [*NOT_OBJECTS, {**op.good(world), "unexpected": 1}, *([{}] if op.required else [])]:
            assert_error(call(client, world, op, body), 422, "invalid_input")
        assert snapshot() == before, "a refused request changed the database"
    resp = call(client, world, op, op.good(world) if op.good else {})
    assert resp.status_code in (200, 201, 204), resp.content


def test_every_request_body_is_a_closed_object():
    """Every body schema the API publishes, and every object nested in one, is an object that
    names its fields and refuses others (``core.api.Input``): a new endpoint cannot forget it."""
    from omnipoint.config.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]

    def walk(node, seen):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[1]
                if name not in seen:
                    seen.add(name)
                    walk(components[name], seen)
            for value in node.values():
                walk(value, seen)
        elif isinstance(node, list):
            for value in node:
                walk(value, seen)

    open_bodies = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation or path.endswith(
                (
                    "/notify/{provider}",
                    "/callback/{biller}",
                    "/runs/{day}/statement",
                    "/webhooks/{carrier}",
                    "/callback/{provider}",
                    "/materials/{item}/uploads",  # a member's file: its own format
                )
            ):
                continue  # the providers' notifications and statement files: their own formats
            seen: set[str] = set()
            walk(operation["requestBody"], seen)
            assert seen, (method, path)
            open_bodies += [
                (method, path, name)
                for name in seen
                if components[name].get("type") == "object"
                and components[name].get("additionalProperties") is not False
            ]
    assert not open_bodies


def wrong_types(w) -> list[tuple[str, dict]]:
    """(operation, body): one field of the right name and the wrong type."""
    return [
        ("token", {"username": ["hq_admin"], "password": "omnipoint"}),
        ("outlet_create", new_outlet(w, lat="north")),
        ("outlet_create", new_outlet(w, kind="castle")),
        ("outlet_create", new_outlet(w, pickup_point="sometimes")),
        ("outlet_update", {"lat": "north"}),
        ("outlet_update", {"is_active": "maybe"}),
        ("outlet_update", {"delivery_radius_km": 1.5}),
        ("price_set", {"price_list_id": "national", "sku_id": w.skus[0].pk, "amount": 100}),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": "100"}),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 1.5}),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 100, "channel": "fax"}),
        ("receipt", stock(w, quantity="5")),
        ("receipt", stock(w, quantity=True)),
        ("receipt", stock(w, quantity=2.5)),
        ("receipt", {"location_id": {"id": w.a.pk}, "sku_id": w.skus[2].pk, "quantity": 1}),
        ("adjustment", stock(w, delta=[1], reason="x")),
        ("adjustment", stock(w, delta=1, reason="")),
        ("safety", stock(w, safety_stock=None)),
        ("reserve", {"owner_ref": "cart:x", "lines": {"location_id": w.a.pk}}),
        ("reserve", {"owner_ref": "", "lines": rsv(w)["lines"]}),
        ("reserve", {"owner_ref": "x" * 81, "lines": rsv(w)["lines"]}),
        ("reserve", {**rsv(w), "ttl_seconds": "soon"}),
        ("reserve", {**rsv(w), "lines": []}),
        ("transfer_create", {**plan(w), "source_id": None}),
        ("transfer_create", {**plan(w), "lines": []}),
        ("transfer_create", {**plan(w), "note": "x" * 201}),
        ("receive", {"lines": "all of them"}),
        ("receive", {"lines": [{"sku_id": w.skus[1].pk, "quantity": "2"}]}),
        ("count_open", {"location_id": w.a.pk, "sku_ids": "all"}),
        ("count_open", {"location_id": w.a.pk, "sku_ids": []}),
        ("count_record", {"sku_id": w.skus[0].pk, "counted": "9"}),
        ("count_record", {"sku_id": w.skus[0].pk, "counted": False}),
    ]


def test_wrong_types_are_422(client, world):
    for name, body in wrong_types(world):
        resp = refused(client, world, OPS[name], body, 422, "invalid_input")
        assert resp.json()["details"]["errors"], (name, body)


def test_text_with_nul_is_422(client, world):
    refused(client, world, OPS["reserve"], {**rsv(world), "owner_ref": "cart:\x00"}, 422, "invalid_input")
    refused(client, world, OPS["outlet_update"], {"name": "a\x00b"}, 422, "invalid_input")
    resp = world.net.auth("hq_admin")
    assert_error(client.get(f"{V1}/outlets", {"search": "a\x00"}, **resp), 422, "invalid_input")


def unknown_ids(w) -> list[tuple[str, dict | None, dict | None, int, str]]:
    """(operation, path params or None for the usual, body, status, code)."""
    t_sku = w.skus[1].pk
    return [
        ("token", None, {"username": "nobody", "password": "x"}, 401, "bad_credentials"),
        ("outlet_create", None, new_outlet(w, region_code="999999"), 404, "region_not_found"),
        ("outlet_update", {"outlet_id": MISSING}, {"name": "x"}, 404, "outlet_not_found"),
        (
            "price_set",
            None,
            {"price_list_id": MISSING, "sku_id": t_sku, "amount": 1},
            404,
            "price_list_not_found",
        ),
        (
            "price_set",
            None,
            {"price_list_id": w.national, "sku_id": MISSING, "amount": 1},
            404,
            "sku_not_found",
        ),
        ("receipt", None, {**stock(w, quantity=1), "location_id": MISSING}, 404, "location_not_found"),
        ("receipt", None, {**stock(w, quantity=1), "sku_id": MISSING}, 404, "sku_not_found"),
        (
            "adjustment",
            None,
            {**stock(w, delta=1, reason="x"), "location_id": MISSING},
            404,
            "location_not_found",
        ),
        ("adjustment", None, {**stock(w, delta=1, reason="x"), "sku_id": MISSING}, 404, "sku_not_found"),
        ("safety", None, {**stock(w, safety_stock=1), "location_id": MISSING}, 404, "location_not_found"),
        ("safety", None, {**stock(w, safety_stock=1), "sku_id": MISSING}, 404, "sku_not_found"),
        ("reserve", None, rsv(w, location_id=MISSING), 404, "location_not_found"),
        ("reserve", None, rsv(w, sku_id=MISSING), 404, "sku_not_found"),
        ("commit", {"reservation_id": MISSING}, None, 404, "reservation_not_found"),
        ("release", {"reservation_id": MISSING}, None, 404, "reservation_not_found"),
        ("transfer_create", None, {**plan(w), "source_id": MISSING}, 404, "location_not_found"),
        ("transfer_create", None, {**plan(w), "destination_id": MISSING}, 404, "location_not_found"),
        ("transfer_create", None, plan(w, sku_id=MISSING), 404, "sku_not_found"),
        ("dispatch", {"transfer_id": MISSING}, None, 404, "transfer_not_found"),
        ("receive", {"transfer_id": MISSING}, {"lines": []}, 404, "transfer_not_found"),
        ("cancel", {"transfer_id": MISSING}, None, 404, "transfer_not_found"),
        ("count_open", None, {"location_id": MISSING}, 404, "location_not_found"),
        (
            "count_open",
            None,
            {"location_id": w.a.pk, "sku_ids": [w.skus[0].pk, MISSING]},
            404,
            "sku_not_found",
        ),
        ("count_record", {"count_id": MISSING}, {"sku_id": t_sku, "counted": 1}, 404, "count_not_found"),
        ("count_record", None, {"sku_id": MISSING, "counted": 1}, 404, "sku_not_found"),
        ("count_post", {"count_id": MISSING}, None, 404, "count_not_found"),
        # Ids no table can hold: refused as input, before any query.
        ("receipt", None, {**stock(w, quantity=1), "location_id": 2**63}, 422, "invalid_input"),
        ("reserve", None, rsv(w, sku_id=2**70), 422, "invalid_input"),
        ("transfer_create", None, {**plan(w), "destination_id": 0}, 422, "invalid_input"),
        ("count_open", None, {"location_id": w.a.pk, "sku_ids": [-1]}, 422, "invalid_input"),
        ("commit", {"reservation_id": 2**64}, None, 404, "reservation_not_found"),
        ("count_post", {"count_id": -5}, None, 404, "count_not_found"),
    ]


def test_unknown_ids_say_what_was_not_found(client, world):
    for name, params, body, status, code in unknown_ids(world):
        refused(client, world, OPS[name], body, status, code, params=params)


def bad_quantities(w) -> list[tuple[str, dict, str]]:
    """(operation, body, code): every quantity at zero, below zero, and past the ceiling."""
    cases: list[tuple[str, dict, str]] = []
    for q in (0, -1, HUGE, 10**30):
        cases += [
            ("receipt", stock(w, quantity=q), "invalid_input"),
            ("reserve", rsv(w, quantity=q), "invalid_input"),
            ("transfer_create", plan(w, quantity=q), "invalid_input"),
        ]
    for q in (-1, HUGE):
        cases += [
            ("safety", stock(w, safety_stock=q), "invalid_input"),
            ("receive", {"lines": [{"sku_id": w.skus[1].pk, "quantity": q}]}, "invalid_input"),
            ("count_record", {"sku_id": w.skus[0].pk, "counted": q}, "invalid_input"),
        ]
    for d in (-HUGE, HUGE):
        cases.append(("adjustment", stock(w, delta=d, reason="x"), "invalid_input"))
    cases += [
        ("adjustment", stock(w, delta=0, reason="x"), "invalid_quantity"),
        ("reserve", {**rsv(w), "ttl_seconds": 0}, "invalid_input"),
        ("reserve", {**rsv(w), "ttl_seconds": 31 * 86400}, "invalid_input"),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 0}, "invalid_input"),
        ("price_set", {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": -100}, "invalid_input"),
        (
            "price_set",
            {"price_list_id": w.national, "sku_id": w.skus[0].pk, "amount": 10**12},
            "invalid_amount",
        ),
        ("outlet_create", new_outlet(w, lat=91), "invalid_input"),
        ("outlet_create", new_outlet(w, lng=-181), "invalid_input"),
        ("outlet_create", new_outlet(w, delivery_radius_km=501), "invalid_input"),
        ("outlet_create", new_outlet(w, region_code="310100"), "not_a_district"),
        ("outlet_create", new_outlet(w, code="SH-A"), "duplicate_code"),
        ("outlet_update", {"delivery_radius_km": -1}, "invalid_input"),
        ("transfer_create", {**plan(w), "destination_id": w.a.pk}, "same_location"),
        ("receive", {"lines": [{"sku_id": w.skus[1].pk, "quantity": 3}]}, "over_receipt"),
        ("receive", {"lines": [{"sku_id": w.skus[0].pk, "quantity": 1}]}, "sku_not_on_transfer"),
        ("receive", {"lines": [{"sku_id": w.skus[1].pk, "quantity": 1}] * 2}, "duplicate_line"),
    ]
    return cases


def test_bad_quantities_are_422(client, world):
    for name, body, code in bad_quantities(world):
        refused(client, world, OPS[name], body, 422, code)


def test_more_than_available_is_409(client, world):
    w = world
    refused(client, w, OPS["reserve"], rsv(w, quantity=11), 409, "insufficient_stock")
    refused(client, w, OPS["adjustment"], stock(w, delta=-11, reason="lost"), 409, "insufficient_stock")
    big = services.transfer_create(
        actor=SYSTEM, source_id=w.a.pk, destination_id=w.b.pk, lines=[(w.skus[2].pk, 11)]
    )
    refused(client, w, OPS["dispatch"], None, 409, "insufficient_stock", params={"transfer_id": big.pk})


# --- wrong state -------------------------------------------------------------------------------


def test_expired_reservation_cannot_be_committed(client, world):
    Reservation.objects.filter(pk=world.r_a).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused(client, world, OPS["commit"], None, 409, "reservation_expired")


def test_closed_reservations_stay_closed(client, world):
    w = world
    services.reservation_release(actor=SYSTEM, reservation_id=w.r_a)
    refused(client, w, OPS["commit"], None, 409, "reservation_not_held")
    refused(client, w, OPS["release"], None, 409, "reservation_not_held")
    services.reservation_commit(actor=SYSTEM, reservation_id=w.r_c)
    for op in ("commit", "release"):
        refused(client, w, OPS[op], None, 409, "reservation_not_held", params={"reservation_id": w.r_c})


def test_owner_ref_reused_for_other_lines_is_409(client, world):
    body = {
        "owner_ref": "cart:a",
        "lines": [{"location_id": world.a.pk, "sku_id": world.skus[0].pk, "quantity": 2}],
    }
    refused(client, world, OPS["reserve"], body, 409, "owner_ref_reused")


def test_transfers_move_forward_only(client, world):
    w = world
    in_transit = {"transfer_id": w.ti_ab}
    refused(client, w, OPS["dispatch"], None, 409, "transfer_wrong_state", params=in_transit)
    refused(client, w, OPS["cancel"], None, 409, "transfer_wrong_state", params=in_transit)
    refused(
        client, w, OPS["receive"], {"lines": []}, 409, "transfer_wrong_state", params={"transfer_id": w.t_ab}
    )
    services.transfer_receive(actor=SYSTEM, transfer_id=w.ti_ab)
    refused(client, w, OPS["receive"], {"lines": []}, 409, "transfer_wrong_state", params=in_transit)
    services.transfer_cancel(actor=SYSTEM, transfer_id=w.t_ab)
    for op in ("dispatch", "cancel"):
        refused(client, w, OPS[op], None, 409, "transfer_wrong_state", params={"transfer_id": w.t_ab})


def test_dispatching_twice_moves_stock_once(client, world):
    w = world
    assert call(client, w, OPS["dispatch"], None).status_code == 200
    refused(client, w, OPS["dispatch"], None, 409, "transfer_wrong_state")


def test_posted_count_is_closed(client, world):
    w = world
    services.count_post(actor=SYSTEM, count_id=w.k_a)
    refused(client, w, OPS["count_post"], None, 409, "count_not_open")
    refused(client, w, OPS["count_record"], {"sku_id": w.skus[0].pk, "counted": 1}, 409, "count_not_open")


def test_count_rules(client, world):
    w = world
    fresh = services.count_open(actor=SYSTEM, location_id=w.a.pk, sku_ids=[w.skus[1].pk])
    refused(client, w, OPS["count_post"], None, 422, "nothing_counted", params={"count_id": fresh.pk})
    # Outlet A holds one unit of SKU 0 for cart:a: a count of zero would eat a customer's hold.
    services.count_record(actor=SYSTEM, count_id=w.k_a, sku_id=w.skus[0].pk, counted=0)
    refused(client, w, OPS["count_post"], None, 409, "count_below_reserved")


# --- commerce: orders, payments, members, loyalty, marketing, showrooms --------------------------


@pytest.fixture
def shop(world):
    return build_shop(world)


def shop_wrong_types(w) -> list[tuple[str, dict]]:
    """(operation, body): one field of the right name and the wrong type or out of its set."""
    return [
        ("order_place", web_order(w, channel="fax")),
        ("order_place", web_order(w, method="teleport")),
        ("order_place", web_order(w, lines=[])),
        ("order_place", web_order(w, lines=[{"sku_id": w.skus[2].pk, "quantity": 1}] * 51)),
        ("order_place", web_order(w, lat="north")),
        ("order_place", web_order(w, lat=91)),
        ("order_place", web_order(w, pickup_outlet_id="A")),
        ("order_place", web_order(w, coupon_codes="SAVE10")),
        ("order_place", web_order(w, coupon_codes=["X"] * 6)),
        ("order_place", web_order(w, mobile="1" * 21)),
        ("order_cancel", {"reason": ""}),
        ("order_cancel", {"reason": ["x"]}),
        ("order_return", {"outlet_id": w.a.pk, "lines": []}),
        ("order_return", {"outlet_id": None, "lines": a_return(w)["lines"]}),
        ("hand_over", pickup_of(w, code="")),
        ("hand_over", pickup_of(w, code=123456)),
        ("hand_over", pickup_of(w, order_number="9" * 25)),
        ("pay_online", {"order_id": "first"}),
        ("pay_online", {"order_id": w.o_a, "amount": 1.5}),
        ("pay_online", {"order_id": w.o_a, "return_url": "/" + "x" * 200}),
        ("capture", {"order_id": w.o_a, "method": None}),
        ("capture", {"order_id": w.o_a, "method": "cash", "amount": "10"}),
        ("capture", {"order_id": w.o_a, "method": "cash", "amount": True}),
        ("refund", {"amount": "100"}),
        ("tender", {"order_id": w.o_a, "method": "wallet", "points": 1.5}),
        ("refund", {"amount": "all"}),
        ("refund", {"amount": 1_00, "reason": "x" * 201}),
        ("login_code", {"mobile": 13700000001}),
        ("login", {"mobile": "13700000009", "code": "1" * 11}),
        ("topup", topup(w, client_key="")),
        ("topup", topup(w, client_key="k" * 65)),
        ("topup", topup(w, amount=True)),
        ("topup", topup(w, member_id=0)),
        ("claim", {"template_code": ""}),
        ("template_create", template(w, code="Bad Code!")),
        ("template_create", template(w, kind="gift")),
        ("template_create", template(w, starts_at="tomorrow")),
        ("template_create", template(w, channels=["fax"])),
        ("template_create", template(w, claim_limit=0)),
        ("issue", {"member_id": "me"}),
        ("campaign", {"member_ids": []}),
        ("campaign", {"member_ids": [w.shopper] * 1001}),
        ("promotion_create", promotion(w, kind="lottery")),
        ("promotion_create", promotion(w, priority=1001)),
        ("game_create", game(w, kind="poker")),
        ("game_create", game(w, prizes=[])),
        ("game_create", game(w, prize={"kind": "car"})),
        ("showroom_edit", {"title": "x" * 81}),
        ("showroom_edit", {"product_ids": "all"}),
        ("rule_create", rule(w, rate="lots")),
        ("rule_create", rule(w, rate="1.5")),
        ("rule_update", {"rate": "0.12345"}),
        ("rule_update", {"fixed_per_unit": -1}),
    ]


def test_commerce_wrong_types_are_422(client, shop):
    before = snapshot()
    for name, body in shop_wrong_types(shop):
        resp = call(client, shop, OPS[name], body)
        assert_error(resp, 422, "invalid_input")
        assert resp.json()["details"]["errors"], (name, body)
    assert snapshot() == before, "a refused request changed the database"


def shop_unknown_ids(w) -> list[tuple[str, dict | None, dict | None, int, str]]:
    """(operation, path params or None for the usual, body, status, code)."""
    return [
        ("order_place", None, order_line(w, sku_id=MISSING), 404, "sku_not_found"),
        ("order_place", None, web_order(w, pickup_outlet_id=MISSING), 404, "outlet_not_found"),
        ("order_place", None, web_order(w, channel="hotline", member_id=MISSING, mobile=""), 404,
         "member_not_found"),
        ("order_place", None, web_order(w, salesperson_id=MISSING), 404, "salesperson_not_found"),
        ("order_place", None, web_order(w, channel="hotline", coupon_codes=["NOSUCHCOUPON"]), 404,
         "coupon_not_found"),
        ("order_place", None, order_line(w, sku_id=2**63), 422, "invalid_input"),
        ("order_cancel", {"order_id": MISSING}, {"reason": "x"}, 404, "order_not_found"),
        ("order_deliver", {"order_id": MISSING}, None, 404, "order_not_found"),
        ("order_return", {"order_id": MISSING}, a_return(w), 404, "order_not_found"),
        ("order_return", None, {**a_return(w), "outlet_id": MISSING}, 404, "outlet_not_found"),
        ("order_return", None, a_return(w, sku_id=w.skus[1].pk), 422, "sku_not_on_order"),
        ("task_advance", {"task_id": MISSING, "step": "claim"}, None, 404, "task_not_found"),
        ("task_advance", {"task_id": w.t_a, "step": "teleport"}, None, 404, "invalid_step"),
        ("hand_over", None, pickup_of(w, outlet_id=MISSING), 404, "outlet_not_found"),
        ("pay_online", None, {"order_id": MISSING}, 404, "order_not_found"),
        ("pay_online", None, {"order_id": 2**63}, 422, "invalid_input"),
        ("capture", None, {"order_id": MISSING, "method": "cash"}, 404, "order_not_found"),
        ("tender", None, {"order_id": MISSING, "method": "wallet"}, 404, "order_not_found"),
        ("refund", {"payment_id": MISSING}, {"amount": 1}, 404, "payment_not_found"),
        ("refund", {"payment_id": 2**64}, {"amount": 1}, 404, "payment_not_found"),
        ("topup", None, topup(w, member_id=MISSING), 404, "member_not_found"),
        ("topup", None, topup(w, member_id=None, mobile="13700000077"), 404, "member_not_found"),
        ("topup", None, topup(w, outlet_id=MISSING), 404, "outlet_not_found"),
        ("topup", None, topup(w, amount=None, package_id=MISSING), 404, "package_not_found"),
        ("claim", None, {"template_code": "no-such"}, 404, "template_not_found"),
        ("play", {"game_id": MISSING}, None, 404, "game_not_found"),
        ("template_create", None, template(w, region_code="999999"), 404, "region_not_found"),
        ("template_create", None, template(w, product_ids=[MISSING]), 404, "product_not_found"),
        ("template_create", None, template(w, outlet_ids=[MISSING]), 404, "outlet_not_found"),
        ("issue", {"template_id": MISSING}, {"member_id": w.shopper}, 404, "template_not_found"),
        ("issue", None, {"member_id": MISSING}, 404, "member_not_found"),
        ("campaign", {"template_id": MISSING}, {"member_ids": [w.shopper]}, 404, "template_not_found"),
        ("campaign", None, {"member_ids": [w.shopper, MISSING]}, 404, "member_not_found"),
        ("promotion_create", None, promotion(w, category_ids=[MISSING]), 404, "category_not_found"),
        ("promotion_end", {"promotion_id": MISSING}, None, 404, "promotion_not_found"),
        ("game_create", None, game(w, prize={"kind": "coupon", "coupon_template_id": MISSING}), 404,
         "template_not_found"),
        ("showroom_edit", None, {"all_products": False, "product_ids": [MISSING]}, 404, "product_not_found"),
        ("rule_create", None, rule(w, product_id=MISSING), 404, "product_not_found"),
        ("rule_create", None, {"category_id": MISSING, "rate": "0.01"}, 404, "category_not_found"),
        ("rule_update", {"rule_id": MISSING}, {"rate": "0.01"}, 404, "rule_not_found"),
        ("rule_delete", {"rule_id": MISSING}, None, 404, "rule_not_found"),
    ]  # fmt: skip


def test_commerce_unknown_ids_say_what_was_not_found(client, shop):
    before = snapshot()
    for name, params, body, status, code in shop_unknown_ids(shop):
        resp = call(client, shop, OPS[name], body, params)
        assert_error(resp, status, code)
        assert snapshot() == before, (name, params, body)


def shop_bad_amounts(w) -> list[tuple[str, dict, str]]:
    """(operation, body, code): quantities and amounts at zero, below zero and past the ceiling."""
    cases: list[tuple[str, dict, str]] = []
    for q in (0, -1, HUGE, 10**30):
        cases += [
            ("order_place", order_line(w, quantity=q), "invalid_input"),
            ("order_return", a_return(w, quantity=q), "invalid_input"),
        ]
    for amount in (0, -1, 10**13, 10**30):
        cases += [
            ("pay_online", {"order_id": w.o_a, "amount": amount}, "invalid_input"),
            ("capture", {"order_id": w.o_a, "method": "at_outlet", "amount": amount}, "invalid_input"),
            ("tender", {"order_id": w.o_a, "method": "wallet", "amount": amount}, "invalid_input"),
            ("tender", {"order_id": w.o_a, "method": "points", "points": amount}, "invalid_input"),
            ("refund", {"amount": amount}, "invalid_input"),
            ("topup", topup(w, amount=amount), "invalid_input"),
        ]
    cases += [
        ("topup", topup(w, amount=10**10), "invalid_amount"),  # within the field, past a top-up's limit
        ("topup", topup(w, amount=None), "amount_required"),
        ("tender", {"order_id": w.o_a, "method": "wallet", "amount": 1_00, "points": 100}, "invalid_amount"),
        ("tender", {"order_id": w.o_a, "method": "wallet", "points": 100}, "invalid_amount"),
        ("tender", {"order_id": w.o_a, "method": "cash"}, "invalid_method"),
        ("capture", {"order_id": w.o_a, "method": "cod"}, "invalid_method"),
        ("capture", {"order_id": w.o_a, "method": "bitcoin"}, "invalid_method"),
        ("pay_online", {"order_id": w.o_a, "return_url": "https://evil.example/"}, "invalid_return_url"),
        ("order_place", order_line(w, quantity=MAX_QUANTITY) | {"lines": [
            {"sku_id": w.skus[2].pk, "quantity": MAX_QUANTITY}] * 2}, "invalid_quantity"),
        ("order_place", web_order(w, payment_mode="counter"), "invalid_payment_mode"),
        ("order_place", web_order(w, method="counter", payment_mode="counter"), "invalid_method"),
        ("order_place", web_order(w, pickup_outlet_id=w.w.pk), "pickup_outlet_required"),
        ("order_place", web_order(w, method="delivery", payment_mode="online"), "address_required"),
        ("order_place", web_order(w, mobile=""), "mobile_required"),
        ("order_place", web_order(w, channel="showroom"), "salesperson_required"),
        ("template_create", template(w, value=-1), "invalid_input"),
        ("template_create", template(w, kind="percentage", value=0, percent_off="101"), "invalid_input"),
        ("template_create", template(w, kind="threshold", value=10_00, threshold=5_00), "invalid_threshold"),
        ("template_create", template(w, ends_at=(timezone.now() - timedelta(days=9)).isoformat()),
         "invalid_window"),
        ("promotion_create", promotion(w, percent_off="0"), "invalid_input"),
        ("promotion_create", promotion(w, kind="bundle", percent_off=None, bundle_quantity=1), "invalid_bundle"),
        ("game_create", game(w, prize={"stock": -1}), "invalid_input"),
        ("game_create", game(w, prize={"points": 0}), "invalid_prize"),
        ("game_create", game(w, attempts_per_member=0), "invalid_input"),
        ("rule_create", rule(w, rate="0.6"), "invalid_rate"),
        ("rule_create", rule(w, rate=None, fixed_per_unit=10**7), "invalid_input"),
        ("rule_create", rule(w, rate=None), "invalid_rule"),
        ("rule_create", rule(w, fixed_per_unit=1), "invalid_rule"),
        ("rule_create", {"rate": "0.01", "region_code": "310100"}, "duplicate_rule"),
        ("showroom_edit", {"all_products": False, "product_ids": []}, "no_products"),
        ("order_cancel", {"reason": "x" * 201}, "invalid_input"),
    ]  # fmt: skip
    return cases


def test_commerce_bad_amounts_are_422(client, shop):
    before = snapshot()
    for name, body, code in shop_bad_amounts(shop):
        resp = call(client, shop, OPS[name], body)
        assert_error(resp, 422, code)
        assert snapshot() == before, (name, body)


def test_services_and_virtual_items_refuse_bad_input(client, shop):
    """A top-up names a valid mobile number, only a virtual item names one, one number per SKU, a
    sane quantity, a SKU that exists; a delivery carries goods. Nothing changes."""
    from omnipoint.testing import services_and_virtual

    w = shop
    service, topup = services_and_virtual(w.net)
    before = snapshot()

    def line(sku, **kw):
        return {"sku_id": sku.pk, "quantity": 1, **kw}

    for body, status, code in [
        (web_order(w, lines=[line(topup, target="12345")]), 422, "invalid_target"),
        (web_order(w, lines=[line(topup, target="23800138000")]), 422, "invalid_target"),
        (web_order(w, mobile="", channel="pos", method="counter", payment_mode="counter",
                   origin_outlet_id=w.a.pk, lines=[line(topup)]), 422, "invalid_target"),  # nobody to top up
        (web_order(w, lines=[line(topup, target="1" * 21)]), 422, "invalid_input"),
        (web_order(w, lines=[line(topup, target="13700000002", quantity=HUGE)]), 422, "invalid_input"),
        (web_order(w, lines=[line(topup, target="13700000002", quantity=10**30)]), 422, "invalid_input"),
        (web_order(w, lines=[line(service, target="13700000002")]), 422, "target_not_allowed"),
        (web_order(w, lines=[line(w.skus[2], target="13700000002")]), 422, "target_not_allowed"),
        (web_order(w, lines=[line(topup, target="13700000002"), line(topup, target="13700000003")]), 422,
         "target_conflict"),
        (web_order(w, lines=[{"sku_id": MISSING, "quantity": 1, "target": "13700000002"}]), 404, "sku_not_found"),
        (web_order(w, method="delivery", payment_mode="online", address="某路1号", lat=31.2, lng=121.5,
                   region_code="310101", lines=[line(topup, target="13700000002")]), 422, "nothing_to_deliver"),
    ]:  # fmt: skip
        assert_error(call(client, w, OPS["order_place"], body), status, code)
        assert snapshot() == before, (body, code)


def test_malformed_phone_numbers_are_422(client, shop):
    w = shop
    before = snapshot()
    for mobile in ("12345", "2380013800x", "+1 415 555 0100", "1380013800", "138001380000"):
        for name, body in (
            ("login_code", {"mobile": mobile}),
            ("login", {"mobile": mobile, "code": "123456"}),
            ("order_place", web_order(w, mobile=mobile)),
            ("topup", topup(w, member_id=None, mobile=mobile)),
            ("issue", {"mobile": mobile}),
        ):
            assert_error(call(client, w, OPS[name], body), 422, "invalid_mobile")
        lookup = client.get(f"{V1}/members/lookup", {"mobile": mobile}, **w.net.auth("outlet_clerk"))
        assert_error(lookup, 422, "invalid_mobile")
    assert snapshot() == before
    unknown = client.get(f"{V1}/members/lookup", {"mobile": "13700000077"}, **w.net.auth("outlet_clerk"))
    assert_error(unknown, 404, "member_not_found")
    assert_error(client.get(f"{V1}/members/lookup", **w.net.auth("outlet_clerk")), 422, "lookup_required")
    assert_error(
        client.get(f"{V1}/members/{MISSING}/activity", **w.net.auth("hq_admin")), 404, "member_not_found"
    )
    assert_error(
        client.get(f"{V1}/members/{2**64}/activity", **w.net.auth("hq_admin")), 404, "member_not_found"
    )


# --- commerce: wrong state ------------------------------------------------------------------------


def test_a_cancelled_order_takes_no_payment_and_stays_cancelled(client, shop):
    w = shop
    assert call(client, w, OPS["order_cancel"], {"reason": "changed mind"}).status_code == 200
    refused(client, w, OPS["order_cancel"], {"reason": "again"}, 409, "order_wrong_state")
    refused(client, w, OPS["pay_online"], {"order_id": w.o_a}, 409, "order_wrong_state")
    refused(client, w, OPS["capture"], {"order_id": w.o_a, "method": "at_outlet"}, 409, "order_wrong_state")
    refused(client, w, OPS["tender"], {"order_id": w.o_a, "method": "wallet"}, 409, "order_wrong_state")
    refused(client, w, OPS["task_advance"], None, 409, "task_wrong_state")


def test_paid_orders_take_no_more(client, shop):
    w = shop
    for op, body in (
        ("capture", {"order_id": w.ready_a, "method": "at_outlet"}),
        ("pay_online", {"order_id": w.ready_a}),
        ("tender", {"order_id": w.ready_a, "method": "wallet"}),
    ):
        refused(client, w, OPS[op], body, 409, "already_paid")
    order = Order.objects.get(pk=w.o_a)
    refused(client, w, OPS["capture"], {"order_id": w.o_a, "method": "at_outlet", "amount": order.total + 1},
            409, "overpayment")  # fmt: skip


def test_hand_over_once(client, shop):
    w = shop
    assert call(client, w, OPS["hand_over"], pickup_of(w)).status_code == 200
    refused(client, w, OPS["hand_over"], pickup_of(w), 409, "already_collected")
    refused(client, w, OPS["hand_over"], pickup_of(w, "o_a"), 409, "order_not_ready")
    refused(client, w, OPS["order_cancel"], {"reason": "too late"}, 409, "order_wrong_state",
            params={"order_id": w.ready_a})  # fmt: skip


def test_wrong_pickup_codes_count_against_the_order(client, shop):
    """A wrong code is refused, and recorded on purpose (it counts toward the lock-out)."""
    w = shop
    before = snapshot()
    resp = call(client, w, OPS["hand_over"], pickup_of(w, code="000000x"))
    assert_error(resp, 422, "pickup_code_invalid")
    after = snapshot()
    assert after["orders.PickupAttempt"] != before["orders.PickupAttempt"]
    assert {k: v for k, v in after.items() if k not in ("orders.PickupAttempt", "orders.Order")} == {
        k: v for k, v in before.items() if k not in ("orders.PickupAttempt", "orders.Order")
    }
    assert Order.objects.get(pk=w.ready_a).state == "ready"


def test_return_no_more_than_bought(client, shop):
    w = shop  # sale_a: two units of SKU 0
    refused(client, w, OPS["order_return"], a_return(w, quantity=3), 409, "return_exceeds_sold")
    assert call(client, w, OPS["order_return"], a_return(w, quantity=2)).status_code == 201
    refused(client, w, OPS["order_return"], a_return(w, quantity=1), 409, "return_exceeds_sold")
    refused(client, w, OPS["order_return"], a_return(w), 409, "order_wrong_state", params={"order_id": w.o_a})
    refused(client, w, OPS["order_deliver"], None, 409, "order_wrong_state", params={"order_id": w.o_a})


def test_refund_no_more_than_paid(client, shop):
    w = shop
    paid = Order.objects.get(pk=w.sale_a).total
    refused(client, w, OPS["refund"], {"amount": paid + 1}, 409, "refund_exceeds_payment")
    refused(client, w, OPS["refund"], {}, 422, "amount_required")  # everything is asked for explicitly
    assert call(client, w, OPS["refund"], {"full": True}).status_code == 201
    refused(client, w, OPS["refund"], {"amount": 1}, 409, "refund_exceeds_payment")


def test_spend_no_more_than_the_balance(client, shop):
    from omnipoint.members.models import Member
    from omnipoint.orders.services import LineRequest, order_place

    w = shop
    big = order_place(
        actor=actor_for_user(user=Member.objects.get(pk=w.shopper).user),
        channel="web",
        method="pickup",
        pickup_outlet_id=w.a.pk,
        payment_mode="at_outlet",
        lines=[LineRequest(sku_id=w.skus[2].pk, quantity=3)],
    )
    refused(client, w, OPS["tender"], {"order_id": big.pk, "method": "wallet", "amount": 500_01}, 409,
            "insufficient_balance")  # fmt: skip
    refused(client, w, OPS["tender"], {"order_id": big.pk, "method": "points", "points": 50_000}, 409,
            "insufficient_balance")  # fmt: skip


def test_coupons_that_do_not_apply_are_refused_at_checkout(client, shop):
    from omnipoint.marketing.models import Coupon, CouponTemplate
    from omnipoint.marketing.services import coupon_issue
    from omnipoint.outlets.selectors import actor_get

    w = shop
    hq = actor_get(user=w.net.staff["hq_admin"].user)
    CouponTemplate.objects.filter(pk=w.tpl_hq).update(channels=["pos"])
    other_channel = coupon_issue(actor=hq, template_id=w.tpl_hq, member_id=w.shopper)
    expired = coupon_issue(actor=hq, template_id=w.tpl_sh, member_id=w.shopper)
    Coupon.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    theirs = coupon_issue(actor=hq, template_id=w.tpl_sh, member_id=w.nanjing)
    as_shopper = dataclasses.replace(OPS["order_place"], persona="shopper")
    for code, status, expected in (
        (other_channel.code, 422, "coupon_not_applicable"),
        (expired.code, 422, "coupon_expired"),
        (theirs.code, 404, "coupon_not_found"),
    ):
        refused(client, w, as_shopper, web_order(w, coupon_codes=[code], mobile=""), status, expected)
    # A guest giving the shopper's mobile number cannot spend the shopper's coupons.
    for mobile in ("13700000001", SHOPPER_MOBILE):
        refused(client, w, OPS["order_place"], web_order(w, coupon_codes=[other_channel.code], mobile=mobile),
                422, "member_required")  # fmt: skip


def test_offers_keep_their_codes(client, shop):
    refused(client, shop, OPS["template_create"], template(shop, code="tpl-sh"), 409, "duplicate_code")


def test_claims_and_plays_have_limits(client, shop):
    from omnipoint.marketing.models import CouponTemplate

    w = shop
    for _ in range(5):  # claim_limit 5
        assert call(client, w, OPS["claim"], {"template_code": "tpl-sh"}).status_code == 201
    refused(client, w, OPS["claim"], {"template_code": "tpl-sh"}, 409, "claim_limit_reached")
    CouponTemplate.objects.filter(pk=w.tpl_nj).update(ends_at=timezone.now() - timedelta(seconds=1))
    refused(client, w, OPS["claim"], {"template_code": "tpl-nj"}, 422, "coupon_expired")
    for _ in range(3):  # attempts_per_member 3
        assert call(client, w, OPS["play"], None).status_code == 201
    refused(client, w, OPS["play"], None, 409, "attempts_exhausted")


def test_staff_and_strangers_are_not_members(client, shop):
    w = shop
    for persona in ("hq_admin", "outlet_clerk"):
        before = snapshot()
        url = f"{V1}/marketing/coupons/claim"
        resp = client.post(
            url, {"template_code": "tpl-sh"}, content_type="application/json", **w.net.auth(persona)
        )
        assert_error(resp, 403, "not_member")
        assert snapshot() == before


def test_a_wrong_sign_in_code_spends_an_attempt_only(client, shop):
    w = shop
    before = snapshot()
    wrong = "000000" if w.login_code != "000000" else "111111"
    resp = call(client, w, OPS["login"], {"mobile": "13700000009", "code": wrong})
    assert_error(resp, 422, "login_code_invalid")
    after = snapshot()
    assert {k: v for k, v in after.items() if k != "members.LoginCode"} == {
        k: v for k, v in before.items() if k != "members.LoginCode"
    }
    from omnipoint.members.models import LoginCode

    assert list(LoginCode.objects.values_list("attempts", flat=True)) == [1]
    refused(
        client, w, OPS["login"], {"mobile": "13700000001", "code": w.login_code}, 422, "login_code_invalid"
    )


def test_topup_key_is_the_tills(client, shop):
    w = shop
    assert call(client, w, OPS["topup"], topup(w)).status_code == 201
    before = snapshot()
    again = call(client, w, OPS["topup"], topup(w))  # a retry: tops up once
    assert again.status_code == 201 and snapshot() == before
    refused(client, w, OPS["topup"], topup(w, amount=200_00), 409, "posting_key_reused")
    refused(client, w, OPS["topup"], topup(w, outlet_id=w.w.pk, client_key="till-2"), 422, "no_counter")


def test_forged_notifications_change_nothing_but_the_log(client, shop):
    """The provider's notification: public, but only a correctly signed one for a known payment
    and its exact amount moves money. Every one is logged (PaymentNotification, not in the snapshot)."""
    from omnipoint.payments.models import PaymentNotification

    w = shop
    body, headers = w.notify
    sig = headers["X-Sandbox-Signature"]
    url = f"{V1}/payments/notify/sandbox"
    before = snapshot()
    for data, signature, status, code in (
        (body, "0" * 64, 401, "bad_signature"),
        (body, "", 401, "bad_signature"),
        (body.replace(b'"amount":100', b'"amount":1'), sig, 401, "bad_signature"),
        (b"{not json", sig, 401, "bad_signature"),
    ):
        resp = client.post(url, data, content_type="application/json", HTTP_X_SANDBOX_SIGNATURE=signature)
        assert_error(resp, status, code)
    resp = client.post("/api/v1/payments/notify/nosuch", body, content_type="application/json")
    assert resp.status_code in (400, 401, 404, 422) and assert_error(resp, resp.status_code)
    assert snapshot() == before
    assert PaymentNotification.objects.count() == 5


def test_paging_past_any_table_is_not_an_error(client, shop):
    """Found by the fuzzer: an offset past 64 bits reached the database (a 500 on SQLite)."""
    h = shop.net.auth("hq_admin")
    for url in ("/orders", "/marketing/promotions", "/marketing/coupon-templates", "/marketing/games"):
        resp = client.get(f"{V1}{url}", {"offset": 2**64, "limit": 2**64}, **h)
        assert resp.status_code == 200 and resp.json() == [], (url, resp.content[:200])


def test_times_no_database_can_hold_are_422(client, shop):
    """Found by the fuzzer on PostgreSQL: an offset of -19:00 reached the database (a 500)."""
    before = snapshot()
    for starts_at in ("2026-01-01T00:00:00-19:00", "2026-01-01T00:00:00+15:00", "0001-01-01T00:00:00+14:00"):
        for name, body in (
            ("template_create", template(shop, starts_at=starts_at)),
            ("promotion_create", promotion(shop, starts_at=starts_at)),
            ("game_create", game(shop, starts_at=starts_at)),
        ):
            assert_error(call(client, shop, OPS[name], body), 422, "invalid_input")
    assert snapshot() == before


def test_a_day_export_refuses_bad_input_with_a_code(client, world):
    """The clearing export (a GET): an unknown format, a wrong date format, a day not closed, a
    node outside the scope: each a 4xx with its code, and nothing changes."""
    before = snapshot()
    h = world.net.auth("outlet_manager")
    for path, query, status, code in (
        (f"/clearing/days/{world.closed_day}/export.docx", {}, 422, "unknown_format"),
        (f"/clearing/days/{world.closed_day}/export.CSV", {}, 422, "unknown_format"),
        ("/clearing/days/12-01-2026/export.csv", {}, 422, "invalid_day"),
        (f"/clearing/days/{world.open_day}/export.xlsx", {}, 404, "day_not_closed"),
        (f"/clearing/days/{world.closed_day}/export.pdf", {"node": "hq"}, 404, "node_not_found"),
        (f"/clearing/days/{world.closed_day}/export.pdf", {"node": "outlet:x"}, 404, "node_not_found"),
    ):
        assert_error(client.get(f"{V1}{path}", query, **h), status, code)
    assert snapshot() == before


def test_a_statement_upload_refuses_bad_input_with_a_code(client, world, settings):
    """Reconciliation: a malformed statement file (each way a file can be wrong), a wrong date
    format, a future day, an unknown run or class, a bad reason: each a 4xx with its code, and
    nothing changes (the import is one transaction: a file refused at its last line leaves none
    of its lines)."""
    api_world(world)
    good = world.recon_file  # the day before yesterday: no payments, the header and the summary
    assert read(good) == []
    paid = [
        "2026-01-01 10:00:00",
        "SBX1",
        "P1",
        "NATIVE",
        "SUCCESS",
        "1.00",
        "0",
        "0",
        "0.00",
        "",
        "0.01",
        "0.60%",
    ]
    h = world.net.auth("hq_admin")
    today = timezone.now().astimezone(timezone.get_fixed_timezone(480)).date()
    bad_files = [
        (b"", "size"),
        (b"\xff\xfe\x00garbage", "encoding"),
        (b"not,a,statement\r\n", "header"),
        (good.replace("\u603b\u4ea4\u6613\u5355\u6570".encode(), b"x"), "columns"),
        (good.rsplit(b"\r\n", 2)[0] + b"\r\n", "summary"),
        (good.replace(b"`0,", b"`7,", 1), "summary_mismatch"),
        (good + b"`1,`2\r\n", "trailing"),
        (write([paid]), "other_day"),
        (write([[world.recon_open_day + " 10:00:00", *paid[1:5], "1.0", *paid[6:]]]), "amount"),
        (write([[world.recon_open_day + " 25:00:00", *paid[1:]]]), "time"),
        (write([[world.recon_open_day + " 10:00:00", *paid[1:4], "CLOSED", *paid[5:]]]), "state"),
        (write([[world.recon_open_day + " 10:00:00", "", *paid[2:]]]), "reference"),
    ]
    before = snapshot()
    for content, reason in bad_files:
        body, headers = multipart(content)
        resp = client.generic(
            "POST",
            f"{V1}/reconciliation/runs/{world.recon_open_day}/statement",
            body,
            headers["Content-Type"],
            **h,
        )
        assert_error(resp, 422, "malformed_statement")
        assert resp.json()["details"]["reason"] == reason, (reason, resp.json())
    body, headers = multipart(good)
    for day, status, code in (
        ("12-01-2026", 422, "invalid_day"),
        (str(today), 422, "day_not_over"),
        (str(today + timedelta(days=3)), 422, "day_not_over"),
        (world.recon_day, 409, "statement_exists"),
    ):
        resp = client.generic(
            "POST", f"{V1}/reconciliation/runs/{day}/statement", body, headers["Content-Type"], **h
        )
        assert_error(resp, status, code)
    for path, status, code in (
        (f"/reconciliation/runs/{world.recon_open_day}", 404, "run_not_found"),
        ("/reconciliation/runs/2026-13-01", 422, "invalid_day"),
        (f"/reconciliation/runs/{world.recon_open_day}/differences", 404, "run_not_found"),
        (f"/reconciliation/runs/{world.recon_day}/differences?kind=lost", 422, "invalid_kind"),
    ):
        assert_error(client.get(f"{V1}{path}", **h), status, code)
    for day, status, code in (("2026.12.01", 422, "invalid_day"), (str(today), 422, "day_not_over")):
        assert_error(client.post(f"{V1}/reconciliation/runs/{day}/fetch", **h), status, code)
    resolve = f"{V1}/reconciliation/differences/{{}}/resolve"
    for target, payload, status, code in (
        (world.recon_lost, {"reason": "repaired", "note": "x"}, 422, "invalid_reason"),
        (world.recon_lost, {"reason": "timing", "note": "  "}, 422, "note_required"),
        (MISSING, {"reason": "timing", "note": "x"}, 404, "difference_not_found"),
    ):
        resp = client.post(resolve.format(target), json.dumps(payload), content_type="application/json", **h)
        assert_error(resp, status, code)
    assert_error(
        client.post(f"{V1}/reconciliation/differences/{MISSING}/repair", **h), 404, "difference_not_found"
    )
    assert snapshot() == before


def test_settlement_refuses_bad_input_with_a_code(client, world):
    """A wrong period format, a future period, the period under way, an unknown statement, an
    unknown format, confirming or paying out of turn, paying twice: each a 4xx with its code,
    and nothing changes."""
    build_settlement(world)
    h = world.net.auth("hq_admin")
    pay = lambda sid, key: client.post(  # noqa: E731
        f"{V1}/settlement/statements/{sid}/pay", {"key": key}, content_type="application/json", **h
    )
    assert pay(world.st_sh, "first").status_code == 201
    current = timezone.localdate().strftime("%Y-%m")
    before = snapshot()
    for method, path, body, status, code in (
        ("post", "/settlement/periods/2026-13/generate", None, 422, "invalid_period"),
        ("post", "/settlement/periods/11-2026/generate", None, 422, "invalid_period"),
        ("post", "/settlement/periods/2026-W60/generate", None, 422, "invalid_period"),
        ("post", "/settlement/periods/2999-01/generate", None, 422, "period_in_future"),
        ("post", f"/settlement/periods/{current}/generate", None, 409, "period_not_over"),
        ("post", f"/settlement/statements/{MISSING}/confirm", None, 404, "statement_not_found"),
        ("post", f"/settlement/statements/{MISSING}/pay", {"key": "x"}, 404, "statement_not_found"),
        ("post", f"/settlement/statements/{world.st_sh}/confirm", None, 409, "statement_paid"),
        ("post", f"/settlement/statements/{world.st_sh}/pay", {"key": "second"}, 409, "statement_paid"),
        (
            "post",
            f"/settlement/statements/{world.st_b}/pay",
            {"key": "early"},
            409,
            "statement_not_confirmed",
        ),
        ("post", f"/settlement/statements/{world.st_b}/pay", {"key": "first"}, 409, "pay_key_reused"),
        ("post", f"/settlement/statements/{world.st_b}/pay", {"key": "a b"}, 422, "invalid_key"),
        ("get", f"/settlement/statements/{world.st_b}/export.docx", None, 422, "unknown_format"),
        ("get", f"/settlement/statements/{MISSING}/export.csv", None, 404, "statement_not_found"),
    ):
        if method == "get":
            resp = client.get(f"{V1}{path}", **h)
        else:
            resp = client.post(
                f"{V1}{path}", json.dumps(body) if body else "", content_type="application/json", **h
            )
        assert_error(resp, status, code)
    again = pay(world.st_sh, "first")  # the same key: the first payment, not a second
    assert again.status_code == 200 and again.json()["created"] is False
    assert snapshot() == before


def test_tickets_refuse_bad_input_and_steps_out_of_order(client, shop):
    """A step out of order (409), a wrong confirmation code, someone else's order, an unknown
    ticket, a technician who does not serve the outlet, a past day: each a 4xx with its code,
    and nothing changes."""
    w = build_tickets(shop)
    yesterday = str(timezone.localdate() - timedelta(days=1))
    cases = [
        ("ticket_step", _tk("tk_run_a"), {"step": "complete", "code": w.tk_code_a}, 409, "ticket_wrong_state"),
        ("ticket_step", _tk("tk_sched_a"), {"step": "arrive"}, 409, "ticket_wrong_state"),
        ("ticket_step", _tk("tk_site_a"), {"step": "complete"}, 422, "confirmation_code_invalid"),
        ("ticket_step", _tk("tk_site_a"), {"step": "fail"}, 422, "note_required"),
        ("ticket_step", _tk("tk_site_a"), {"step": "teleport"}, 422, "invalid_step"),
        ("ticket_step", lambda w: {"ticket_id": MISSING}, {"step": "arrive"}, 404, "ticket_not_found"),
        ("ticket_schedule", lambda w: {"ticket_id": MISSING}, _tk_visit(w), 404, "ticket_not_found"),
        ("ticket_schedule", _tk("tk_run_a"), _tk_visit(w), 409, "ticket_wrong_state"),
        ("ticket_schedule", _tk("tk_a"), {**_tk_visit(w), "technician_id": w.tech_c}, 404, "technician_not_found"),
        ("ticket_schedule", _tk("tk_a"), {**_tk_visit(w), "day": yesterday}, 422, "visit_day_past"),
        ("ticket_schedule", _tk("tk_a"), {**_tk_visit(w), "window": "xx"}, 422, "invalid_window"),
        ("ticket_reschedule", _tk("tk_a"), _tk_visit(w), 409, "ticket_wrong_state"),
        ("ticket_cancel", _tk("tk_a"), {"note": " "}, 422, "note_required"),
        ("ticket_cancel", lambda w: {"ticket_id": MISSING}, {"note": "x"}, 404, "ticket_not_found"),
        ("ticket_open", lambda w: {}, {"order_id": MISSING, "kind": "repair", "description": "x"}, 404,
         "order_not_found"),
        ("ticket_open", lambda w: {}, {"order_id": w.sale_a, "kind": "installation", "description": "x"}, 422,
         "invalid_kind"),
        ("ticket_open", lambda w: {}, {"order_id": w.sale_a, "kind": "repair", "description": "  "}, 422,
         "description_required"),
        ("ticket_open", lambda w: {}, {"order_id": w.ship_a, "kind": "repair", "description": "坏了"}, 422,
         "order_not_completed"),
    ]  # fmt: skip
    for name, params, body, status, code in cases:
        refused(client, w, TICKET_OPS[name], body, status, code, params=params(w))
    # someone else's order: the shopper names the Nanjing member's
    shopper = dataclasses.replace(TICKET_OPS["ticket_open"], persona="shopper")
    refused(
        client,
        w,
        shopper,
        {"order_id": w.sale_c, "kind": "repair", "description": "x"},
        404,
        "order_not_found",
    )


# --- parcels ----------------------------------------------------------------------------------


def test_parcels_bad_input(client, world):
    """A malformed tracking number, a parcel over the weight or size limit, an unknown outlet or
    district, a scan of an unpaid parcel, a wrong pickup code, a forged or replayed webhook:
    each a 4xx with its code, nothing changed."""
    w = world
    build_parcels(w)
    bad_number = "CP123456784CN"  # the check digit of CP12345678 is 5
    cases = [
        ("parcel_accept", None, accept_body(w, weight_g=30_001), 422, "over_weight"),
        ("parcel_accept", None, accept_body(w, length_cm=151), 422, "over_size"),
        ("parcel_accept", None, accept_body(w, outlet_id=MISSING), 404, "outlet_not_found"),
        ("parcel_accept", None, accept_body(w, recipient={**accept_body(w)["recipient"], "region_code": "999999"}),
         404, "region_not_found"),
        ("parcel_accept", None, accept_body(w, service="overnight"), 422, "invalid_service"),
        ("parcel_accept", None, accept_body(w, declared_value=10**11), 422, "invalid_declared_value"),
        ("parcel_pay", {"number": bad_number}, {"method": "cash"}, 422, "malformed_tracking_number"),
        ("parcel_pay", {"number": "CP000000005CN"}, {"method": "cash"}, 404, "parcel_not_found"),
        ("parcel_pay", None, {"method": "cheque"}, 422, "invalid_method"),
        ("parcel_scan", {"number": bad_number}, {"outlet_id": w.a.pk, "kind": "dispatched"}, 422,
         "malformed_tracking_number"),
        ("parcel_scan", None, {"outlet_id": MISSING, "kind": "dispatched"}, 404, "outlet_not_found"),
        ("parcel_scan", None, {"outlet_id": w.a.pk, "kind": "lost"}, 422, "invalid_scan_kind"),
        ("parcel_scan", {"number": w.unpaid_a}, {"outlet_id": w.a.pk, "kind": "dispatched"}, 409, "parcel_unpaid"),
        ("parcel_collect", None, {"outlet_id": w.b.pk, "number": w.held_b, "code": "12345"}, 422, "wrong_pickup_code"),
        ("parcel_collect", None, {"outlet_id": w.b.pk, "number": w.held_b,
                                  "code": "000000" if w.held_b_code != "000000" else "111111"}, 422, "wrong_pickup_code"),
        ("parcel_collect", None, {"outlet_id": w.b.pk, "number": bad_number, "code": "123456"}, 422,
         "malformed_tracking_number"),
        ("parcel_collect", None, {"outlet_id": w.a.pk, "number": w.held_b, "code": w.held_b_code}, 409,
         "parcel_not_held"),
    ]  # fmt: skip
    for name, params, body, status, code in cases:
        refused(client, w, OPS[name], body, status, code, params=params)
    url = f"{V1}/parcels/webhooks/{carrier.CODE}"
    body, headers = w.webhook_a
    sig = {"HTTP_X_CARRIER_SIGNATURE": headers[carrier.SIGNATURE_HEADER]}
    forged = [
        (body, {"HTTP_X_CARRIER_SIGNATURE": "0" * 64}, 401, "bad_signature"),
        (body.replace(b"in_transit", b"delivered"), sig, 401, "bad_signature"),
        (body, {}, 401, "bad_signature"),
    ]
    stale_body, stale_headers = carrier.webhook_build([event(w.p_a, "delivered", "x1")], ts=1)
    forged.append((stale_body, {"HTTP_X_CARRIER_SIGNATURE": stale_headers[carrier.SIGNATURE_HEADER]}, 401,
                   "webhook_expired"))  # fmt: skip
    malformed_body, malformed_headers = carrier.webhook_build([event(bad_number, "delivered", "x2")])
    forged.append((malformed_body, {"HTTP_X_CARRIER_SIGNATURE": malformed_headers[carrier.SIGNATURE_HEADER]},
                   422, "malformed_tracking_number"))  # fmt: skip
    for raw, meta, status, code in forged:
        before = snapshot()
        assert_error(client.post(url, raw, content_type="application/json", **meta), status, code)
        assert snapshot() == before
    assert client.post(url, body, content_type="application/json", **sig).json()["applied"] == 1
    before = snapshot()
    assert client.post(url, body, content_type="application/json", **sig).json()["duplicate"] == 1
    assert snapshot() == before, "a replayed webhook changed the database"
    assert_error(client.get(f"{V1}/parcels/track", {"number": bad_number}), 422, "malformed_tracking_number")


def test_flash_sales_bad_input(client, shop):
    """More than an outlet has free, a window that ends first, unknown ids, a claim past the
    limit or in a sale that ended, a pickup away from the sale's outlets: each a 4xx with its
    code, nothing changed."""
    w = shop
    build_flash_claim(w)
    now = timezone.now()
    cases = [
        ("flash_create", None, flash_sale_body(w, sources=[{"outlet_id": w.a.pk, "quantity": 11}]), 409,
         "insufficient_stock"),
        ("flash_create", None, flash_sale_body(w, ends_at=(now - timedelta(hours=1)).isoformat()), 422,
         "invalid_window"),
        ("flash_create", None, flash_sale_body(w, sku_id=MISSING), 404, "sku_not_found"),
        ("flash_create", None, flash_sale_body(w, sources=[{"outlet_id": MISSING, "quantity": 1}]), 404,
         "location_not_found"),
        ("flash_create", None, flash_sale_body(w, sources=[{"outlet_id": w.a.pk, "quantity": 1}] * 2), 422,
         "invalid_sources"),
        ("flash_end", {"sale_id": MISSING}, {}, 404, "sale_not_found"),
        ("flash_claim", None, {"quantity": 3}, 422, "invalid_quantity"),
        ("flash_claim", {"sale_id": MISSING}, {"quantity": 1}, 404, "sale_not_found"),
        ("flash_checkout", None, {"pickup_outlet_id": w.c.pk}, 422, "pickup_not_in_sale"),
        ("flash_checkout", None, {"pickup_outlet_id": w.a.pk, "payment_mode": "on_delivery"}, 422,
         "invalid_payment_mode"),
        ("flash_checkout", {"claim_id": MISSING}, {"pickup_outlet_id": w.a.pk}, 404, "claim_not_found"),
    ]  # fmt: skip
    for name, params, body, status, code in cases:
        refused(client, w, OPS[name], body, status, code, params=params)
    assert client.post(f"{V1}/flash/sales/{w.flash_nj}/end", **w.net.auth("hq_admin")).status_code == 200
    refused(client, w, OPS["flash_claim"], {"quantity": 1}, 409, "sale_ended", params={"sale_id": w.flash_nj})


# --- appointments' materials: the clerk's check (JSON, in OPS) and the member's upload (multipart,
# see test_material_uploads_refuse_bad_input_with_a_code) -------------------------------------

OPS["material_review"] = Op(
    "POST", "/appointments/bookings/{booking_id}/materials/{item}/review",
    lambda w: {"booking_id": w.ap_bk_a, "item": "id_card"},
    lambda w: {"decision": "rejected", "reason": "照片模糊", "upload_id": w.ap_up_a},
    shop=True, setup=build_appointments,
)  # fmt: skip


@pytest.mark.parametrize("name", ["material_review"])
def test_material_review_malformed_and_missing_then_the_good_body(client, world, name):
    test_malformed_and_missing_then_the_good_body(client, world, name)


def test_material_uploads_refuse_bad_input_with_a_code(client, shop, settings):
    """A member's file for their booking: someone else's booking, a file that only its name calls
    a photo, one too large, an empty one, none at all, an item not on the checklist, a booking
    already served; and the clerk's check of a file a newer one replaced, of an unknown file, a
    rejection without a reason: each a 4xx with its code, nothing changed."""
    from omnipoint.appointments import domain
    from omnipoint.appointments import services as appointments
    from omnipoint.appointments.models import Booking
    from omnipoint.appointments.tests.world import JPEG, NOT_AN_IMAGE, PDF

    w = build_appointments(shop)
    h = w.net.auth("shopper")
    url = f"{V1}/appointments/bookings/{{}}/materials/{{}}/uploads"

    def upload(booking_id, item, content, name="id.jpg", headers=h):  # type: ignore[no-untyped-def]
        body, extra = multipart(content, name)
        return client.generic("POST", url.format(booking_id, item), body, extra["Content-Type"], **headers)

    served = Booking.objects.get(code=w.ap_now_a)
    appointments.booking_cancel(actor=SYSTEM, booking_id=served.pk)
    too_large = b"%PDF-1.4\n" + b"0" * domain.MATERIAL_MAX_BYTES + b"\n%%EOF\n"
    before = snapshot()
    for booking_id, item, content, status, code in (
        (w.ap_bk_c, "photo", JPEG, 404, "booking_not_found"),  # the Nanjing member's
        (MISSING, "photo", JPEG, 404, "booking_not_found"),
        (w.ap_bk_a, "photo", NOT_AN_IMAGE, 422, "unsupported_file_type"),
        (w.ap_bk_a, "photo", JPEG[:3], 422, "unsupported_file_type"),
        (w.ap_bk_a, "photo", PDF.replace(b"%%EOF", b""), 422, "unsupported_file_type"),  # cut short
        (w.ap_bk_a, "photo", too_large, 413, "file_too_large"),
        (w.ap_bk_a, "photo", b"", 422, "empty_file"),
        (w.ap_bk_a, "passport", JPEG, 422, "unknown_material"),
        (served.pk, "photo", JPEG, 409, "booking_wrong_state"),
    ):
        assert_error(upload(booking_id, item, content), status, code)
    assert_error(upload(w.ap_bk_a, "photo", JPEG, headers=w.net.auth("outlet_clerk")), 403, "not_member")
    no_file = client.post(url.format(w.ap_bk_a, "photo"), {}, **h)
    assert_error(no_file, 422, "invalid_input")
    review = OPS["material_review"]
    newer = w.ap_up_a + 1_000  # not a file of this booking
    for body, status, code in (
        ({"decision": "rejected"}, 422, "reason_required"),
        ({"decision": "rejected", "reason": "   "}, 422, "reason_required"),
        ({"decision": "maybe"}, 422, "invalid_decision"),
        ({"decision": "accepted", "upload_id": newer}, 404, "upload_not_found"),
        ({"decision": "accepted", "upload_id": w.ap_up_c}, 404, "upload_not_found"),  # C's file
    ):
        refused(client, w, review, body, status, code)
    refused(client, w, review, {"decision": "accepted"}, 422, "unknown_material",
            params={"booking_id": w.ap_bk_a, "item": "passport"})  # fmt: skip
    refused(client, w, review, {"decision": "accepted"}, 409, "booking_wrong_state",
            params={"booking_id": served.pk, "item": "photo"})  # fmt: skip
    assert snapshot() == before
    # A second version replaces the first: a check of the first is refused, the file kept.
    assert upload(w.ap_bk_a, "id_card", PDF, name="id.pdf").status_code == 201
    before = snapshot()
    refused(client, w, review, {"decision": "accepted", "upload_id": w.ap_up_a}, 409, "upload_superseded")
    assert snapshot() == before


def test_a_wrong_confirmation_code_spends_an_attempt_only(client, shop):
    """A wrong code changes nothing but the ticket's count of wrong codes (which must stay
    counted: it limits guessing); at the limit even the right code is 429, nothing moved."""
    from omnipoint.aftersales.domain import CODE_ATTEMPTS

    w = build_tickets(shop)
    wrong = "000000" if w.tk_code_a != "000000" else "111111"
    op, params = TICKET_OPS["ticket_step"], _tk("tk_site_a")(w)
    key = "aftersales.Ticket"
    for left in range(CODE_ATTEMPTS - 1, -1, -1):
        before = snapshot()
        resp = call(client, w, op, {"step": "complete", "code": wrong}, params)
        assert assert_error(resp, 422, "confirmation_code_invalid")["details"]["attempts_left"] == left
        after = snapshot()
        assert {k: v for k, v in after.items() if k != key} == {k: v for k, v in before.items() if k != key}
        assert after[key] != before[key]
    before = snapshot()
    assert_error(
        call(client, w, op, {"step": "complete", "code": w.tk_code_a}, params), 429, "confirmation_locked"
    )


def test_matching_a_day_again_refuses_bad_input_with_a_code(client, world):
    """A day that is no day, or one never imported: a 4xx with its code, and nothing changes."""
    api_world(world)
    h = world.net.auth("hq_admin")
    before = snapshot()
    for day, status, code in (
        ("2026-13-01", 422, "invalid_day"),
        (world.recon_open_day, 404, "run_not_found"),
    ):
        assert_error(client.post(f"{V1}/reconciliation/runs/{day}/rematch", **h), status, code)
    assert snapshot() == before


def test_a_customers_pick_of_a_visit_refuses_bad_slots(client, shop):
    """A past slot, one too far ahead, an unknown window, a full day, a visit under way, one
    moved too often, someone else's ticket: each a 4xx with its code, and nothing changes."""
    from omnipoint.aftersales.models import TechnicianDay, Ticket

    w = build_tickets(shop)
    op, today = TICKET_OPS["ticket_visit"], timezone.localdate()
    full = today + timedelta(days=3)
    TechnicianDay.objects.create(technician_id=w.tech_a, day=full, capacity=0, exception=True)
    Ticket.objects.filter(pk=w.tk_sched_a).update(customer_changes=2)
    slot = lambda day, window="am": {"day": str(day), "window": window}  # noqa: E731
    cases = [
        (_tk("tk_a"), slot(today - timedelta(days=1)), 409, "slot_past"),
        (_tk("tk_a"), slot(today + timedelta(days=14)), 422, "too_far_ahead"),
        (_tk("tk_a"), slot(full, "xx"), 422, "invalid_window"),
        (_tk("tk_a"), slot(full), 409, "slot_full"),
        (_tk("tk_run_a"), slot(full + timedelta(days=1)), 409, "visit_under_way"),
        (_tk("tk_sched_a"), slot(full + timedelta(days=1)), 409, "visit_change_limit"),
        (_tk("tk_c"), slot(full + timedelta(days=1)), 404, "ticket_not_found"),
        (lambda w: {"ticket_id": MISSING}, slot(full + timedelta(days=1)), 404, "ticket_not_found"),
    ]
    for params, body, status, code in cases:
        refused(client, w, op, body, status, code, params=params(w))


def test_parcel_voids_refuse_bad_input(client, world):
    """A void without a reason, of a parcel already on its way, twice, or by a malformed number:
    a 4xx with its code, nothing changed (no posting reversed)."""
    w = world
    build_parcels(w)
    op = OPS["parcel_void"]
    refused(client, w, op, {"reason": "  "}, 422, "reason_required")
    refused(client, w, op, {"reason": "取消"}, 409, "parcel_not_voidable", params={"number": w.held_b})
    refused(
        client,
        w,
        op,
        {"reason": "取消"},
        422,
        "malformed_tracking_number",
        params={"number": "CP123456784CN"},
    )
    assert call(client, w, op, {"reason": "取消"}).status_code == 200
    refused(client, w, op, {"reason": "取消"}, 409, "parcel_voided")


def test_parcel_rate_tables_are_refused_whole(client, world):
    """A rate table without every service in every zone, with a step twice, a free first weight,
    a zone between unknown provinces or a zone that does not exist: 422, the table unchanged."""
    w = world
    op = OPS["parcel_rates_set"]
    good = rates_body()
    cases = [
        {**good, "steps": good["steps"][1:]},
        {**good, "steps": [*good["steps"], good["steps"][0]]},
        {**good, "steps": [{**good["steps"][0], "first_fen": 0}, *good["steps"][1:]]},
        {**good, "zones": [{"from_province": "99", "to_province": "32", "zone": "local"}]},
        {**good, "zones": [{"from_province": "31", "to_province": "32", "zone": "moon"}]},
    ]
    for body in cases:
        refused(client, w, op, body, 422, "invalid_rate_table")


def test_a_members_online_bill_refuses_bad_input(client, shop):
    """Paying one's own bill online: an unknown biller, a malformed account, an amount that is
    not what is due, an unknown tender, a return address off the site: a 4xx with its code,
    nothing changed; another member's payment does not exist."""
    w = shop
    op = OPS["my_bill_pay"]
    prepare(w, op)
    good = _my_bill_body(w)
    cases = [
        ({**good, "biller": "sbx-nowhere"}, 404, "biller_not_found"),
        ({**good, "account": "12"}, 422, "malformed_account"),
        ({**good, "amount": good["amount"] + 1}, 422, "amount_mismatch"),
        ({**good, "tender": "cheque"}, 422, "invalid_tender"),
        ({**good, "tender": "online", "return_url": "https://elsewhere.example/"}, 422, "invalid_return_url"),
    ]
    for body, status, code in cases:
        refused(client, w, op, body, status, code)
    refused(client, w, OPS["my_bill_sync"], {}, 404, "payment_not_found", params={"number": w.nj_bill})


def test_the_parties_refuse_bad_input_with_a_code(client, world):
    """A rate out of 0..1 or with five decimals, an unknown kind or cycle, an agent settled weekly,
    a franchise party at a store that is no franchise, a rate for an agent, a blank name, an
    unknown category or rate: each a 4xx with its code, and nothing changes."""
    build_parties(world)
    h = world.net.auth("hq_admin")
    send = lambda method, path, body: client.generic(  # noqa: E731
        method,
        f"{V1}/settlement{path}",
        json.dumps(body) if body is not None else "",
        "application/json",
        **h,
    )
    sh, b = f"/parties/{world.party_sh}", f"/parties/{world.party_b}"
    before = snapshot()
    for method, path, body, status, code in (
        ("POST", "/parties", {"kind": "broker", "outlet_id": world.a.pk}, 422, "invalid_input"),
        (
            "POST",
            "/parties",
            {"kind": "franchise", "outlet_id": world.a.pk, "rate": "1.5"},
            422,
            "invalid_input",
        ),
        (
            "POST",
            "/parties",
            {"kind": "franchise", "outlet_id": world.a.pk, "rate": "0.12345"},
            422,
            "invalid_input",
        ),
        ("POST", "/parties", {"kind": "franchise", "outlet_id": world.a.pk}, 422, "not_franchise"),
        (
            "POST",
            "/parties",
            {"kind": "agent", "outlet_id": world.a.pk, "cycle": "week"},
            422,
            "invalid_cycle",
        ),
        ("POST", "/parties", {"kind": "agent", "outlet_id": MISSING}, 404, "outlet_not_found"),
        ("POST", "/parties", {"kind": "supplier", "supplier_id": MISSING}, 404, "supplier_not_found"),
        ("PATCH", b, {"rate": "0.1"}, 422, "not_rated"),
        ("PATCH", b, {"cycle": "half_month"}, 422, "invalid_cycle"),
        ("PATCH", sh, {"name": ""}, 422, "invalid_input"),
        ("PATCH", sh, {"name": "   "}, 422, "invalid_name"),
        ("PATCH", f"/parties/{MISSING}", {"name": "x"}, 404, "party_not_found"),
        ("PUT", f"{sh}/rates/{MISSING}", {"rate": "0.1"}, 404, "category_not_found"),
        ("PUT", f"{b}/rates/{world.appliances}", {"rate": "0.1"}, 422, "not_rated"),
        ("PUT", f"{sh}/rates/{world.appliances}", {"rate": -0.1}, 422, "invalid_input"),
        ("DELETE", f"{b}/rates/{world.appliances}", None, 404, "rate_not_found"),
        ("POST", "/jobs", {"kind": "generate", "period": "2026/11"}, 422, "invalid_period"),
        (
            "POST",
            "/jobs",
            {"kind": "export", "statement_id": world.st_b, "fmt": "docx"},
            422,
            "invalid_input",
        ),
        ("POST", "/jobs", {"kind": "export", "statement_id": world.st_b}, 422, "unknown_format"),
        (
            "POST",
            "/jobs",
            {"kind": "export", "statement_id": MISSING, "fmt": "csv"},
            404,
            "statement_not_found",
        ),
        ("POST", "/jobs", {"kind": "print", "period": world.period_new}, 422, "invalid_input"),
    ):
        assert_error(send(method, path, body), status, code)
    assert snapshot() == before
