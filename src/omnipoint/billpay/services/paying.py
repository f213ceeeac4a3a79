"""Writes of bill payment: enrol an outlet, fund an agent's float, pay a bill at the counter
(hold, ask the biller, capture or reverse), take a biller's confirmation, settle payments the
biller left unconfirmed past their deadline, and true up a month's rebates.

Phases, each its own short transaction, so no transaction waits on a biller: ``_hold`` inserts
the payment (the partial unique index on the biller's bill reference decides between two
outlets paying one bill) and, at an agent, holds the float on the ledger by a pending posting
(the ledger's guarded UPDATE refuses to take it below zero); the biller is asked outside any
transaction; ``_capture`` and ``_reverse`` move the state by compare-and-set from ``held``, so
whichever comes first wins and the other changes nothing. The sweep asks the biller before it
reverses, and reverses only what the biller agreed to reverse: a late confirmation never loses.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from omnipoint.billpay import domain
from omnipoint.billpay.billers import BillDue, Biller, biller_get
from omnipoint.billpay.domain import BillWhy, PayMode, PayState, RebateSchedule
from omnipoint.billpay.models import BillerCallback, BillOutlet, BillPayment
from omnipoint.billpay.selectors import month_amounts, month_paid, point_get
from omnipoint.core.errors import ConflictError, InvalidStateError, NotFoundError, ValidationError
from omnipoint.core.explain import Explanation
from omnipoint.ledger import services as ledger
from omnipoint.ledger.domain import AccountKind, account_code
from omnipoint.ledger.selectors import balance
from omnipoint.ledger.services import InsufficientBalanceError, PostingRequest
from omnipoint.loyalty.services import wallet_capture, wallet_release, wallet_spend
from omnipoint.members.domain import normalise_mobile
from omnipoint.members.selectors import member_find
from omnipoint.members.services import member_get_or_create
from omnipoint.outlets.domain import AnyActor, MemberActor, Perm, StaffActor, SystemActor
from omnipoint.outlets.models import Outlet, OutletKind
from omnipoint.outlets.selectors import scope_q
from omnipoint.payments.services import charges

BOOKS = SystemActor(task="billpay")  # only the platform posts to the ledger
SOURCES = {  # where a captured payment's money came from, on its way to the biller
    PayMode.COUNTER_CASH: AccountKind.BILL_CASH_IN,
    PayMode.MEMBER_WALLET: AccountKind.WALLET_SPENT,
    PayMode.MEMBER_ONLINE: AccountKind.BILL_ONLINE_IN,
}
MAX_FLOAT_TOPUP = 10_000_000_00  # fen
WALLET_GRACE_S = 86400  # a member's wallet hold outlives the deadline: the sweep settles it first


def _code(kind: AccountKind, owner_id: int | None = None) -> str:
    ledger.account_for(actor=BOOKS, kind=kind, owner_id=owner_id)
    return account_code(kind, owner_id)


# --- outlets and floats ----------------------------------------------------------------------


@transaction.atomic
def outlet_enrol(*, actor: StaffActor, outlet_id: int, schedule: RebateSchedule | None = None) -> BillOutlet:
    """An outlet starts taking bill payments: an agent point from its float (with a rebate
    schedule, the default if none), any other outlet in cash at its counter."""
    actor.require(Perm.OUTLET_EDIT)
    outlet = Outlet.objects.filter(scope_q(actor.scope), pk=outlet_id).first()
    if outlet is None:
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    agent = outlet.kind == OutletKind.AGENT_POINT
    point, _ = BillOutlet.objects.update_or_create(
        outlet=outlet,
        defaults={
            "mode": PayMode.AGENT_FLOAT if agent else PayMode.COUNTER_CASH,
            "rebate_schedule": (schedule or domain.DEFAULT_SCHEDULE).as_json() if agent else {},
            "is_active": True,
        },
    )
    if agent:
        _code(AccountKind.AGENT_FLOAT, outlet.pk)
    return point


def float_fund(*, actor: StaffActor, outlet_id: int, amount: int, key: str) -> int:
    """Record an agent's deposit (预存款) into its float; ``key`` makes a retry the first.
    Returns the float available after it."""
    actor.require(Perm.OUTLET_EDIT)
    point = point_get(actor=actor, outlet_id=outlet_id)
    if point.mode != PayMode.AGENT_FLOAT:
        raise InvalidStateError("only an agent outlet holds a float", code="not_an_agent")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_FLOAT_TOPUP:
        raise ValidationError(f"a deposit is 1..{MAX_FLOAT_TOPUP} fen", code="invalid_amount")
    if not 1 <= len(key) <= 60:
        raise ValidationError("a deposit needs a key of 1..60 characters", code="invalid_key")
    request = PostingRequest(
        key=f"billpay:float:{outlet_id}:{key}",
        debit=_code(AccountKind.AGENT_FLOAT_FUNDED),
        credit=_code(AccountKind.AGENT_FLOAT, outlet_id),
        amount=amount,
        code="float_fund",
        reference=f"outlet:{outlet_id}",
    )
    with transaction.atomic():
        ledger.postings_create([request], actor=BOOKS)
    return balance(kind=AccountKind.AGENT_FLOAT, owner_id=outlet_id)


# --- paying a bill ---------------------------------------------------------------------------


def _number() -> str:
    return (
        "B"
        + timezone.localtime().strftime("%y%m%d")
        + "".join(secrets.choice("0123456789") for _ in range(11))
    )


def _replayed(key: str, biller: str, account: str, amount: int) -> BillPayment | None:
    first = BillPayment.objects.filter(client_key=key).first()
    if first is None:
        return None
    if (first.biller, first.account, first.amount) != (biller, account, amount):
        raise ValidationError("this key was used for another payment", code="idempotency_key_reused")
    return first


def bill_pay(
    *,
    actor: StaffActor,
    outlet_id: int,
    biller: str,
    account: str,
    amount: int,
    key: str = "",
    mobile: str = "",
) -> BillPayment:
    """A customer pays a bill in cash at an outlet's counter. The amount must be what the
    biller says is due; a customer who gives their ``mobile`` sees the bill online. Returns the
    payment: paid, held until the biller confirms, or reversed (its ``why`` says why). A retry
    with the same ``key`` returns the first."""
    actor.require(Perm.BILL_PAY)
    mobile = normalise_mobile(mobile) if mobile else ""
    point = point_get(actor=actor, outlet_id=outlet_id)
    b = biller_get(biller)
    due, first = _bill_due(b, account, amount, key)
    if first is not None:
        return first
    member = member_get_or_create(actor=actor, mobile=mobile) if mobile else None
    payment, fresh = _hold(
        actor, b, due, key, mode=point.mode, point=point, member_id=member.pk if member else None
    )
    return _ask(b, payment, due) if fresh else payment


def bill_pay_online(
    *, actor: MemberActor, biller: str, account: str, amount: int, key: str = ""
) -> BillPayment:
    """A signed-in member pays a bill from their wallet: the money held on the ledger, the
    biller asked, then captured or given back, as at the counter."""
    b = biller_get(biller)
    due, first = _bill_due(b, account, amount, key)
    if first is not None:
        return first
    payment, fresh = _hold(
        actor, b, due, key, mode=PayMode.MEMBER_WALLET, point=None, member_id=actor.member_id
    )
    return _ask(b, payment, due) if fresh else payment


def bill_pay_by_phone(
    *, actor: StaffActor, mobile: str, biller: str, account: str, amount: int, key: str = ""
) -> BillPayment:
    """The hotline (11185) pays a known member's bill from their wallet while they are on the
    line: the same hold, the same biller, the same capture or release as online."""
    actor.require(Perm.BILL_PAY)
    member = member_find(mobile=mobile)
    b = biller_get(biller)
    due, first = _bill_due(b, account, amount, key)
    if first is not None:
        return first
    payment, fresh = _hold(actor, b, due, key, mode=PayMode.MEMBER_WALLET, point=None, member_id=member.pk)
    return _ask(b, payment, due) if fresh else payment


def _bill_due(b: Biller, account: str, amount: int, key: str) -> tuple[BillDue, BillPayment | None]:
    """The bill the request names, checked against what the biller says is due now (or the
    first payment made with ``key``)."""
    account = domain.account_normalize(account, b.account_format)
    domain.amount_check(amount)
    if len(key) > 100:
        raise ValidationError("a key is at most 100 characters", code="invalid_key")
    first = _replayed(key, b.code, account, amount) if key else None
    if first is not None:
        return BillDue(
            account,
            first.masked_name,
            first.bill_ref,
            first.amount,
            first.period,
            first.due_date or timezone.localdate(),
        ), first
    due = b.lookup(account)
    if due.amount == 0:
        raise domain.NothingDueError(f"nothing is due on {account}", account=account)
    if amount != due.amount:
        raise domain.AmountMismatchError(
            f"the bill is {due.amount} fen, not {amount}", due=due.amount, offered=amount
        )
    return due, None


def _hold_key(payment: BillPayment) -> str:
    return f"billpay:{payment.number}:hold"


@transaction.atomic
def _hold(
    actor: AnyActor,
    b: Biller,
    due: BillDue,
    key: str,
    *,
    mode: str,
    point: BillOutlet | None,
    member_id: int | None,
) -> tuple[BillPayment, bool]:
    """Phase one: the payment row, and the money held (an agent's float, a member's wallet).
    Refused together. Paid online by the gateway, nothing is held yet: the payment awaits the
    payer, the bill kept for them meanwhile."""
    online = mode == PayMode.MEMBER_ONLINE
    wait = settings.BILLPAY_PAY_SECONDS if online else settings.BILLPAY_CONFIRM_SECONDS
    try:
        with transaction.atomic():
            payment = BillPayment.objects.create(
                number=_number(),
                biller=b.code,
                kind=b.kind,
                account=due.account,
                bill_ref=due.bill_ref,
                period=due.period,
                due_date=due.due_date,
                masked_name=due.masked_name,
                amount=due.amount,
                mode=mode,
                outlet_id=point.outlet_id if point else None,
                region_path=point.outlet.region_path if point else "",
                clerk_id=actor.staff_id,
                member_id=member_id,
                client_key=key or None,
                state=PayState.AWAITING if online else PayState.HELD,
                deadline=timezone.now() + timedelta(seconds=wait),
            )
    except IntegrityError:
        first = _replayed(key, b.code, due.account, due.amount) if key else None
        if first is not None:
            return first, False
        raise domain.BillAlreadyPaidError(f"bill {due.bill_ref} is being paid or was paid") from None
    if mode == PayMode.AGENT_FLOAT:
        assert point is not None
        _float_hold(payment, point)
    elif mode == PayMode.MEMBER_WALLET:
        assert member_id is not None
        wallet_spend(
            actor=actor, member_id=member_id, amount=payment.amount, key=_wallet_key(payment),
            reference=f"bill:{payment.number}", hold_seconds=settings.BILLPAY_CONFIRM_SECONDS + WALLET_GRACE_S,
        )  # fmt: skip
    return payment, True


def _wallet_key(payment: BillPayment) -> str:
    return f"billpay:{payment.number}:wallet"


def _float_hold(payment: BillPayment, point: BillOutlet) -> None:
    hold = PostingRequest(
        key=_hold_key(payment),
        debit=_code(AccountKind.AGENT_FLOAT, point.outlet_id),
        credit=_code(AccountKind.BILLER_PAYABLE),
        amount=payment.amount,
        code="bill_pay",
        reference=f"bill:{payment.number}",
        pending=True,
    )
    try:
        ledger.postings_create([hold], actor=BOOKS)
    except InsufficientBalanceError as exc:
        raise domain.FloatShortError(
            "the agent's float does not cover this bill",
            available=exc.details.get("available"),
            needed=payment.amount,
        ) from exc


def _ask(b: Biller, payment: BillPayment, due: BillDue) -> BillPayment:
    """Phase two, outside any transaction: the biller takes it, refuses it, or does not say."""
    try:
        answer = b.pay(bill=due, amount=payment.amount, merchant_ref=payment.number)
    except domain.BillerTimeoutError:
        return payment  # held: the sweep asks again after the deadline
    if answer.status == "paid":
        _capture(payment.pk, biller_ref=answer.biller_ref)
    elif answer.status == "refused":
        _reverse(payment.pk, Explanation(domain.refusal_why(answer.reason), {"reason": answer.reason}))
    elif answer.biller_ref:
        BillPayment.objects.filter(pk=payment.pk).update(biller_ref=answer.biller_ref)
    payment.refresh_from_db()
    return payment


# --- the two ends: captured or given back ----------------------------------------------------


@transaction.atomic
def _capture(payment_id: int, *, biller_ref: str = "") -> str:
    """The biller confirmed: held -> paid once, the money moved on the ledger, the agent's
    rebate accrued. Returns "paid", or the state it already had."""
    now = timezone.now()
    fields: dict[str, object] = {
        "state": PayState.PAID,
        "paid_at": now,
        "why": Explanation(BillWhy.CONFIRMED).as_json(),
    }
    if biller_ref:
        fields["biller_ref"] = biller_ref
    if BillPayment.objects.filter(pk=payment_id, state=PayState.HELD).update(**fields) != 1:
        return str(BillPayment.objects.values_list("state", flat=True).get(pk=payment_id))
    payment = BillPayment.objects.select_related("outlet__billpay").get(pk=payment_id)
    if payment.mode == PayMode.AGENT_FLOAT:
        ledger.posting_post_pending(
            actor=BOOKS, pending_key=_hold_key(payment), key=f"billpay:{payment.number}:capture"
        )
        _accrue_rebate(payment)
        return "paid"
    if payment.mode == PayMode.MEMBER_WALLET:
        wallet_capture(actor=BOOKS, key=_wallet_key(payment))
    source = SOURCES[PayMode(payment.mode)]
    cash = PostingRequest(
        key=f"billpay:{payment.number}:cash",
        debit=_code(source),
        credit=_code(AccountKind.BILLER_PAYABLE),
        amount=payment.amount,
        code="bill_pay",
        reference=f"bill:{payment.number}",
    )
    ledger.postings_create([cash], actor=BOOKS)
    return "paid"


def _accrue_rebate(payment: BillPayment) -> None:
    assert payment.outlet is not None and payment.outlet_id is not None and payment.paid_at is not None
    schedule = RebateSchedule.from_json(BillOutlet.objects.get(outlet_id=payment.outlet_id).rebate_schedule)
    count, amount = month_paid(outlet_id=payment.outlet_id, when=payment.paid_at, before_id=payment.pk)
    rebate = domain.rebate_accrue(schedule, count_before=count, amount_before=amount, amount=payment.amount)
    if rebate <= 0:
        return
    ledger.postings_create(
        [
            PostingRequest(
                key=f"billpay:{payment.number}:rebate",
                debit=_code(AccountKind.REBATE_EXPENSE),
                credit=_code(AccountKind.AGENT_REBATE, payment.outlet_id),
                amount=rebate,
                code="rebate",
                reference=f"bill:{payment.number}",
            )
        ],
        actor=BOOKS,
    )
    BillPayment.objects.filter(pk=payment.pk).update(rebate=rebate)


@transaction.atomic
def _reverse(payment_id: int, why: Explanation) -> str:
    """held -> reversed once, the money given back (the agent's float, the member's wallet,
    the gateway's charge refunded). Returns "reversed" or the state it already had."""
    now = timezone.now()
    if (
        BillPayment.objects.filter(pk=payment_id, state=PayState.HELD).update(
            state=PayState.REVERSED, reversed_at=now, why=why.as_json()
        )
        != 1
    ):
        return str(BillPayment.objects.values_list("state", flat=True).get(pk=payment_id))
    payment = BillPayment.objects.get(pk=payment_id)
    if payment.mode == PayMode.AGENT_FLOAT:
        ledger.posting_void_pending(
            actor=BOOKS, pending_key=_hold_key(payment), key=f"billpay:{payment.number}:void"
        )
    elif payment.mode == PayMode.MEMBER_WALLET:
        wallet_release(actor=BOOKS, key=_wallet_key(payment))
    elif payment.mode == PayMode.MEMBER_ONLINE:
        _refund_charge(payment.pk)
    return "reversed"


@transaction.atomic
def _refund_charge(payment_id: int) -> bool:
    """A reversed online payment's money back to the payer at the gateway, once (False when it
    was sent back already); a refusal by the gateway rolls it all back."""
    claimed = (
        BillPayment.objects.filter(pk=payment_id, state=PayState.REVERSED, refunded_at__isnull=True)
        .exclude(gateway_ref="")
        .update(refunded_at=timezone.now())
    )
    if claimed != 1:
        return False
    payment = BillPayment.objects.get(pk=payment_id)
    ref = charges.charge_refund(actor=BOOKS, provider_ref=payment.gateway_ref, amount=payment.amount)
    BillPayment.objects.filter(pk=payment_id).update(refund_ref=ref[:64])
    return True


# --- the biller's callback -------------------------------------------------------------------


@transaction.atomic
def callback_receive(*, actor: SystemActor, biller: str, body: bytes, headers: dict[str, str]) -> str:
    """A biller confirms (or refuses) one of our payments. Forged, replayed (a nonce seen
    before), unknown or mismatched callbacks are refused and change nothing."""
    b = biller_get(biller)
    note = b.verify(body, headers)
    payment = BillPayment.objects.filter(biller=b.code, number=note.merchant_ref).first()
    if payment is None:
        raise NotFoundError(f"payment {note.merchant_ref[:20]} not found", code="payment_not_found")
    if note.bill_ref != payment.bill_ref or note.amount != payment.amount:
        raise domain.AmountMismatchError(
            "the callback names another bill or amount", code="callback_mismatch"
        )
    try:
        with transaction.atomic():
            log = BillerCallback.objects.create(biller=b.code, nonce=note.nonce, payment=payment, outcome="")
    except IntegrityError:
        raise ConflictError("this callback was already taken", code="callback_replayed") from None
    if note.status == "paid":
        outcome = _capture(payment.pk, biller_ref=note.biller_ref)
        if outcome == PayState.REVERSED:
            raise InvalidStateError(
                "the payment was reversed before this confirmation", code="payment_reversed"
            )
    else:
        outcome = _reverse(payment.pk, Explanation(BillWhy.REFUSED, {"reason": "biller_refused"}))
    BillerCallback.objects.filter(pk=log.pk).update(outcome=outcome)
    return outcome


# --- rebates ---------------------------------------------------------------------------------


def rebates_true_up(*, actor: SystemActor, month: str) -> dict[int, int]:
    """Month end: each agent's month at the tier it reached, less what was accrued as it went,
    booked once (the posting key is the month's). Returns the adjustment by outlet."""
    done: dict[int, int] = {}
    for point in BillOutlet.objects.filter(mode=PayMode.AGENT_FLOAT).order_by("outlet_id"):
        amounts, accrued = month_amounts(outlet_id=point.outlet_id, month=month)
        delta = domain.rebate_true_up(RebateSchedule.from_json(point.rebate_schedule), amounts, accrued)
        if delta:
            expense, rebate = (
                _code(AccountKind.REBATE_EXPENSE),
                _code(AccountKind.AGENT_REBATE, point.outlet_id),
            )
            ledger.postings_create(
                [
                    PostingRequest(
                        key=f"billpay:trueup:{point.outlet_id}:{month}",
                        debit=expense if delta > 0 else rebate,
                        credit=rebate if delta > 0 else expense,
                        amount=abs(delta),
                        code="rebate_true_up",
                        reference=f"outlet:{point.outlet_id}:{month}",
                    )
                ],
                actor=BOOKS,
            )
        done[point.outlet_id] = delta
    return done
