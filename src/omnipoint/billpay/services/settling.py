"""The sweep: payments past their deadline, settled one by one. A payment held for the biller
is asked of the biller before it is reversed; one still awaiting an online payer is asked of the
gateway before it is given up. A late confirmation never loses."""

from django.db.models import Q
from django.utils import timezone

from omnipoint.billpay.billers import biller_get
from omnipoint.billpay.domain import BillWhy, PayState
from omnipoint.billpay.models import BillPayment
from omnipoint.billpay.services.online import _settle_unpaid
from omnipoint.billpay.services.paying import _capture, _reverse
from omnipoint.core.explain import Explanation
from omnipoint.outlets.domain import SystemActor


def payment_settle(*, actor: SystemActor, payment_id: int) -> str:
    """A payment past its deadline. Held: ask the biller first; paid, it is captured; else the
    biller is asked to reverse it (冲正), and only what it reversed is given back here.
    Awaiting the online payer: ask the gateway; paid, the money is in; else it is given up.
    Returns the state it ends in (or "refunded": money that came too late went back)."""
    payment = BillPayment.objects.get(pk=payment_id)
    if payment.deadline > timezone.now():  # moved on meanwhile (the money arrived: a new deadline)
        return str(payment.state)
    if payment.state == PayState.AWAITING:
        return _settle_unpaid(payment)
    if payment.state != PayState.HELD:
        return str(payment.state)
    b = biller_get(payment.biller)
    status = b.query(merchant_ref=payment.number)
    if status == "paid":
        return _capture(payment.pk)
    if status != "refused" and not b.reverse(merchant_ref=payment.number):
        return _capture(payment.pk)  # the biller confirmed while we asked: it wins
    return _reverse(payment.pk, Explanation(BillWhy.TIMED_OUT, {"deadline_at": payment.deadline.isoformat()}))


def payments_settle_overdue(*, actor: SystemActor, batch: int = 200) -> int:
    """The sweep: every held or awaiting payment past its deadline, settled one by one."""
    open_ = Q(state=PayState.HELD) | Q(state=PayState.AWAITING)
    due = BillPayment.objects.filter(open_, deadline__lte=timezone.now()).order_by("deadline")
    done = 0
    for pk in due.values_list("pk", flat=True)[:batch]:
        payment_settle(actor=actor, payment_id=pk)
        done += 1
    return done
