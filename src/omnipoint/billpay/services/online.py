"""A bill paid online by the payment gateway (the sandbox's, through payments' charges).

Nothing is held at first: the payment *awaits* the payer, the bill kept for them (the partial
unique index), while they pay on the gateway's page. The money is in once the gateway says so
(its signed notification, the payer back on our page, or the sweep asking it): awaiting ->
held by compare-and-set, then the biller is asked outside any transaction and the payment
captured, or reversed and the charge refunded, as with the wallet. A payment still awaiting at
its deadline is given up (awaiting -> reversed) after the gateway was asked; money that arrives
after that goes back at once. The two compare-and-sets decide: paid once, or reversed and
refunded, never both.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from omnipoint.billpay import domain
from omnipoint.billpay.billers import BillDue, biller_get
from omnipoint.billpay.domain import BillWhy, PayMode, PayState
from omnipoint.billpay.models import BillPayment
from omnipoint.billpay.services.paying import BOOKS, _ask, _bill_due, _hold, _refund_charge
from omnipoint.core.errors import NotFoundError
from omnipoint.core.explain import Explanation
from omnipoint.outlets.domain import MemberActor, SystemActor
from omnipoint.payments.domain import Notification
from omnipoint.payments.services import charges


def bill_pay_gateway(
    *, actor: MemberActor, biller: str, account: str, amount: int, key: str = "", return_url: str = ""
) -> BillPayment:
    """A signed-in member pays a bill online by the gateway. The answer awaits the payer, who
    pays at its ``pay_url``; ``return_url`` is where the gateway's page sends them back, with
    ``{number}`` replaced by the payment's number. A retry with the same ``key`` returns the first."""
    b = biller_get(biller)
    due, first = _bill_due(b, account, amount, key)
    if first is not None:
        return first
    with transaction.atomic():
        payment, fresh = _hold(
            actor, b, due, key, mode=PayMode.MEMBER_ONLINE, point=None, member_id=actor.member_id
        )
        if fresh:
            charge = charges.charge_open(
                actor=BOOKS, merchant_ref=payment.number, amount=payment.amount,
                description=f"缴费 {b.name} {payment.period}", return_url=return_url.replace("{number}", payment.number),
            )  # fmt: skip
            payment.gateway_ref, payment.pay_url = charge.provider_ref, charge.pay_url
            payment.save(update_fields=["gateway_ref", "pay_url"])
    return payment


def bill_gateway_sync(*, actor: MemberActor | SystemActor, number: str) -> BillPayment:
    """The member back from the gateway asks it about their online payment (anyone's, for the
    platform): paid there, the money is in and the biller is asked; failed there, the bill is
    let go; paid after the payment was given up, the money goes back."""
    payment = BillPayment.objects.filter(number=number[:20], mode=PayMode.MEMBER_ONLINE).first()
    if payment is None or (not actor.is_system and payment.member_id != actor.member_id):
        raise NotFoundError(f"bill payment {number[:20]} not found", code="payment_not_found")
    late = payment.state == PayState.REVERSED and payment.refunded_at is None
    if payment.state == PayState.AWAITING or late:
        status = charges.charge_query(actor=BOOKS, provider_ref=payment.gateway_ref)
        if status == "succeeded":
            _money_in(payment)
        elif status == "failed":
            _give_up(payment)
        payment.refresh_from_db()
    return payment


def _charge_notified(note: Notification) -> str | None:
    """The gateway's verified notification, when it names one of our bill payments
    (registered as ``payments.hooks.CHARGE_NOTIFIED``): the outcome for its log."""
    payment = BillPayment.objects.filter(number=note.merchant_ref[:20], mode=PayMode.MEMBER_ONLINE).first()
    if payment is None:
        return None
    if note.provider_ref != payment.gateway_ref or note.amount != payment.amount:
        raise domain.AmountMismatchError("the notification names another charge or amount")
    return "bill_" + (_give_up(payment) if note.status == "failed" else _money_in(payment))


def _money_in(payment: BillPayment) -> str:
    """The gateway holds the payer's money: awaiting -> held once, the biller's deadline from
    now, then the biller asked. Money for a payment given up first goes back ("refunded")."""
    deadline = timezone.now() + timedelta(seconds=settings.BILLPAY_CONFIRM_SECONDS)
    moved = BillPayment.objects.filter(pk=payment.pk, state=PayState.AWAITING).update(
        state=PayState.HELD, deadline=deadline
    )
    if moved != 1:
        state = BillPayment.objects.values_list("state", flat=True).get(pk=payment.pk)
        if state == PayState.REVERSED and _refund_charge(payment.pk):
            return "refunded"
        return "duplicate"
    due = BillDue(
        payment.account, payment.masked_name, payment.bill_ref, payment.amount, payment.period,
        payment.due_date or timezone.localdate(),
    )  # fmt: skip
    return str(_ask(biller_get(payment.biller), payment, due).state)


def _give_up(payment: BillPayment) -> str:
    """awaiting -> reversed once (the payer did not pay in time, or the payment failed at the
    gateway): nothing was taken. Returns "reversed", or the state it already had."""
    why = Explanation(BillWhy.NOT_PAID, {"deadline_at": payment.deadline.isoformat()})
    if (
        BillPayment.objects.filter(pk=payment.pk, state=PayState.AWAITING).update(
            state=PayState.REVERSED, reversed_at=timezone.now(), why=why.as_json()
        )
        == 1
    ):
        return "reversed"
    return str(BillPayment.objects.values_list("state", flat=True).get(pk=payment.pk))


def _settle_unpaid(payment: BillPayment) -> str:
    """The sweep, for an online payment still awaiting the payer at its deadline: the gateway
    is asked first, so money paid at the last moment wins."""
    status = charges.charge_query(actor=BOOKS, provider_ref=payment.gateway_ref)
    return _money_in(payment) if status == "succeeded" else _give_up(payment)
