"""Bill payment through the REST API (/api/v1/bills): the billers, what an account owes, a
payment at an outlet's counter, a payment's state, the billers' signed callback; onboarding an
agent outlet, its float, and its day."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from omnipoint.billpay import billers, domain, sandbox, selectors, services
from omnipoint.billpay.domain import RebateSchedule
from omnipoint.billpay.models import BillOutlet, BillPayment
from omnipoint.billpay.schemas import (
    AgentDayOut,
    AgentIn,
    BillDueOut,
    BillerAckOut,
    BillerOut,
    BillOutletOut,
    BillPayIn,
    BillPaymentOut,
    BillPhoneIn,
    FloatIn,
    FloatOut,
    MemberBillOut,
    MemberBillPayIn,
    SandboxCallback,
    SavedAccountOut,
)
from omnipoint.core.api import ERRORS, ErrorOut, explained
from omnipoint.core.errors import ValidationError
from omnipoint.ledger.domain import AccountKind
from omnipoint.ledger.selectors import balance
from omnipoint.members.selectors import member_actor, member_for_user
from omnipoint.outlets.domain import Actor, MemberActor, SystemActor
from omnipoint.outlets.selectors import actor_get

router = Router(tags=["bills"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


def payment_out(p: BillPayment) -> dict[str, Any]:
    return {
        **{f: getattr(p, f) for f in BillPaymentOut.model_fields if f not in {"why"}},
        "why": explained([p.why])[0] if p.why else None,
    }


@router.get("/billers", response={200: list[BillerOut], **ERRORS})
def biller_list(request: HttpRequest, city_code: str = ""):  # type: ignore[no-untyped-def]
    """The billers reachable here (of one city when ``city_code``, an adcode, is given)."""
    return [
        {
            "code": b.code, "kind": b.kind, "city_code": b.city_code, "name": b.name, "name_en": b.name_en,
            "account_length": b.account_format.length, "account_prefix": b.account_format.prefix,
        }
        for b in billers.billers_list(city_code=city_code[:6])
    ]  # fmt: skip


class LookupQuery(Schema):
    biller: str
    account: str


@router.get("/lookup", response={200: BillDueOut, **ERRORS})
def bill_lookup(request: HttpRequest, q: Query[LookupQuery]):  # type: ignore[no-untyped-def]
    """What an account (户号) owes now, as its biller says: the holder's name masked."""
    b, due = selectors.bill_lookup(actor=actor(request), biller=q.biller[:40], account=q.account[:64])
    return {**vars(due), "biller": b.code, "biller_name": b.name}


@router.post("/payments", response={201: BillPaymentOut, **ERRORS})
def bill_pay(request: HttpRequest, payload: BillPayIn):  # type: ignore[no-untyped-def]
    """Take a bill payment in cash at an outlet's counter (at an agent outlet, from its float).
    ``amount`` must be what is due. The answer is the payment: ``held`` until the biller
    confirms, ``paid``, or ``reversed`` with the reason in ``why``. Send ``key`` (or an
    Idempotency-Key) so that a retry returns the first payment."""
    a = actor(request)
    payment = services.bill_pay(
        actor=a,
        outlet_id=payload.outlet_id,
        biller=payload.biller,
        account=payload.account,
        amount=payload.amount,
        key=f"u{a.user_id}:{payload.key}" if payload.key else "",
        mobile=payload.mobile,
    )
    return 201, payment_out(payment)


@router.post("/hotline/payments", response={201: BillPaymentOut, **ERRORS})
def bill_pay_by_phone(request: HttpRequest, payload: BillPhoneIn):  # type: ignore[no-untyped-def]
    """The hotline pays a member's bill from their wallet while they are on the line (409
    insufficient_balance when the wallet is short, changing nothing)."""
    a = actor(request)
    payment = services.bill_pay_by_phone(
        actor=a,
        mobile=payload.mobile,
        biller=payload.biller,
        account=payload.account,
        amount=payload.amount,
        key=f"u{a.user_id}:{payload.key}" if payload.key else "",
    )
    return 201, payment_out(payment)


@router.get("/payments/{number}", response={200: BillPaymentOut, **ERRORS})
def payment_get(request: HttpRequest, number: str):  # type: ignore[no-untyped-def]
    """A bill payment at an outlet in the caller's scope, by its number."""
    return payment_out(selectors.payment_get(actor=actor(request), number=number))


CALLBACK_DOC = {
    "requestBody": {
        "required": True,
        "description": "for the sandbox billers; other billers send their own format",
        "content": {"application/json": {"schema": SandboxCallback.model_json_schema()}},
    },
}


@router.post(
    "/callback/{biller}",
    auth=None,
    response={200: BillerAckOut, 401: ErrorOut, **ERRORS},
    openapi_extra=CALLBACK_DOC,
)
def biller_callback(request: HttpRequest, biller: str):  # type: ignore[no-untyped-def]
    """A biller confirms a payment (signed; the sandbox's: hex HMAC-SHA256 of the raw body in
    `X-Biller-Signature`). Forged, stale, replayed or mismatched callbacks are refused."""
    outcome = services.callback_receive(
        actor=SystemActor(task="biller_callback"),
        biller=biller[:40],
        body=request.body,
        headers={sandbox.SIGNATURE_HEADER: request.headers.get(sandbox.SIGNATURE_HEADER, "")},
    )
    return {"code": "SUCCESS", "outcome": outcome}


# --- agents: onboarding, their float, their day ---------------------------------------------


def outlet_out(point: BillOutlet) -> dict[str, Any]:
    schedule = RebateSchedule.from_json(point.rebate_schedule) if point.rebate_schedule else None
    return {
        "outlet_id": point.outlet_id, "code": point.outlet.code, "name": point.outlet.name,
        "kind": point.outlet.kind, "mode": point.mode, "basis": schedule.basis if schedule else None,
        "tiers": [{"threshold": t.threshold, "per_bill": t.per_bill, "rate": str(t.rate)}
                  for t in (schedule.tiers if schedule else ())],
        "float_available": balance(kind=AccountKind.AGENT_FLOAT, owner_id=point.outlet_id),
    }  # fmt: skip


@router.post("/agents", response={201: BillOutletOut, **ERRORS})
def agent_onboard(request: HttpRequest, payload: AgentIn):  # type: ignore[no-untyped-def]
    """Onboard a new agent outlet (a corner shop, kiosk, lottery point) in a district of the
    caller's area: the outlet opened with its kind and what it offers, enrolled with its tiered
    rebate schedule (the default if none), its opening float deposited. Refused whole."""
    schedule = None
    if payload.schedule is not None:
        schedule = domain.schedule_build(
            payload.schedule.basis, [(t.threshold, t.per_bill, t.rate) for t in payload.schedule.tiers]
        )
    fields = payload.model_dump(exclude={"schedule", "opening_float"})
    point = services.agent_onboard(
        actor=actor(request), outlet=services.NewOutlet(**fields), schedule=schedule,
        opening_float=payload.opening_float,
    )  # fmt: skip
    return 201, outlet_out(point)


@router.post("/outlets/{outlet_id}/float", response={201: FloatOut, **ERRORS})
def float_fund(request: HttpRequest, outlet_id: int, payload: FloatIn):  # type: ignore[no-untyped-def]
    """Record an agent's deposit (预存款) into its float; the same ``key`` again is the first."""
    a = actor(request)
    left = services.float_fund(actor=a, outlet_id=outlet_id, amount=payload.amount, key=payload.key)
    return 201, {"outlet_id": outlet_id, "float_available": left}


@router.get("/agents/{outlet_id}/day", response={200: AgentDayOut, **ERRORS})
def agent_day(request: HttpRequest, outlet_id: int):  # type: ignore[no-untyped-def]
    """An agent's day: its float, today's takings, this month's volume and rebate, the rebate
    to date, and how far the next tier is."""
    day = selectors.agent_day(actor=actor(request), outlet_id=outlet_id)
    return {
        "outlet_id": day.point.outlet_id, "code": day.point.outlet.code, "name": day.point.outlet.name,
        **{f: getattr(day, f) for f in ("float_available", "today_count", "today_amount", "month_count",
                                        "month_amount", "rebate_month", "rebate_balance", "stars")},
        "basis": day.schedule.basis, "tier": day.progress.tier + 1, "tiers": len(day.schedule.tiers),
        "next_threshold": day.progress.next_threshold, "to_next": day.progress.to_next,
    }  # fmt: skip


# --- a member's own bills, online --------------------------------------------------------


def me(request: HttpRequest) -> MemberActor:
    return member_actor(member_for_user(user=request.user))


def mine_out(p: BillPayment) -> dict[str, Any]:
    return {**payment_out(p), "pay_url": p.pay_url if p.state == domain.PayState.AWAITING else ""}


@router.get("/me/accounts", response={200: list[SavedAccountOut], **ERRORS})
def my_accounts(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The signed-in member's saved accounts: each account they have paid, with its latest payment."""
    return [
        {"biller": a.biller, "kind": a.kind, "account": a.account, "masked_name": a.masked_name,
         "last_paid": payment_out(a.last_paid)}
        for a in selectors.member_accounts(actor=me(request))
    ]  # fmt: skip


@router.get("/me/payments", response={200: list[MemberBillOut], **ERRORS})
def my_payments(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The member's bill history, newest first (at most 100): online, from the wallet, by the
    hotline and in cash at any outlet's counter, a corner shop's included."""
    return [mine_out(p) for p in selectors.member_bills(actor=me(request))[:100]]


@router.post("/me/payments", response={201: MemberBillOut, **ERRORS})
def my_bill_pay(request: HttpRequest, payload: MemberBillPayIn):  # type: ignore[no-untyped-def]
    """The member pays a bill as themselves, two-phase as at the counter. ``online``: the answer
    *awaits* them at the gateway's ``pay_url`` (the bill kept for them), the money in on the
    gateway's notification, then the biller asked; ``wallet``: held from their wallet, then the
    biller asked. Then ``paid``, or ``reversed`` with the money given back. ``amount`` must be
    what is due; the same ``key`` again returns the first payment."""
    who = me(request)
    if payload.tender not in ("online", "wallet"):
        raise ValidationError("tender is online or wallet", code="invalid_tender")
    back = payload.return_url
    if back and (not back.startswith("/") or back.startswith("//") or "\\" in back):
        raise ValidationError("return_url must be a path on this site", code="invalid_return_url")
    key = f"api:{who.member_id}:{payload.key}" if payload.key else ""
    biller, account = payload.biller[:40], payload.account[:64]
    if payload.tender == "online":
        url = request.build_absolute_uri(back) if back else ""
        payment = services.bill_pay_gateway(
            actor=who, biller=biller, account=account, amount=payload.amount, key=key, return_url=url
        )
    else:
        payment = services.bill_pay_online(
            actor=who, biller=biller, account=account, amount=payload.amount, key=key
        )
    return 201, mine_out(payment)


@router.get("/me/payments/{number}", response={200: MemberBillOut, **ERRORS})
def my_payment(request: HttpRequest, number: str):  # type: ignore[no-untyped-def]
    """One of the member's own bill payments (another's is not found)."""
    return mine_out(selectors.member_bill_get(actor=me(request), number=number))


@router.post("/me/payments/{number}/sync", response={200: MemberBillOut, **ERRORS})
def my_payment_sync(request: HttpRequest, number: str):  # type: ignore[no-untyped-def]
    """The member back from the gateway's page: the gateway is asked about their online payment
    at once instead of waiting for its notification (paid there, the biller is asked)."""
    who = me(request)
    payment = selectors.member_bill_get(actor=who, number=number)
    if payment.mode != domain.PayMode.MEMBER_ONLINE:
        return mine_out(payment)  # nothing to ask the gateway about
    return mine_out(services.bill_gateway_sync(actor=who, number=number))
