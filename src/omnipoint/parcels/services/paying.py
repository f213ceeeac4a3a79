"""A parcel's money: taken at the counter (cash, the sender's wallet, the gateway's QR), posted
to the ledger, given back when the parcel is voided, and unpaid parcels let go.

The guards: a parcel is paid once (``paid_at IS NULL AND voided_at IS NULL`` compare-and-set)
and its takings are posted in that transaction (the tender's account -> postage earned, key
``parcel:<number>:paid``); it is voided or expires once (``voided_at IS NULL``, from a state
before it leaves), the posting reversed in that transaction (``parcel:<number>:void``, which
names the first) and the tender given back: cash in hand, the wallet refunded, the gateway's
charge refunded once (``charge_refunded_at IS NULL``). A QR charge is settled by one step
(``_charge_paid``) whoever asks: the gateway's notification (``payments.hooks.CHARGE_NOTIFIED``),
the counter asking again, the sweep, the expiry; money that arrives for a parcel paid another
way, voided or expired goes back.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from omnipoint.core.errors import ConflictError, DomainError, InvalidStateError, ValidationError
from omnipoint.ledger import services as ledger
from omnipoint.ledger.domain import AccountKind
from omnipoint.ledger.services import PostingRequest
from omnipoint.loyalty.services import wallet_capture, wallet_refund, wallet_spend
from omnipoint.members.selectors import member_find
from omnipoint.outlets.domain import Perm, StaffActor, SystemActor, require_platform
from omnipoint.parcels import domain
from omnipoint.parcels.domain import RANK, ParcelState, PayMethod
from omnipoint.parcels.models import EventSource, Parcel, ParcelEvent
from omnipoint.parcels.selectors import PAY_CODE, VOID_CODE
from omnipoint.parcels.services._shared import PLATFORM, _counter_parcel, _refused_if_closed
from omnipoint.payments.domain import AmountMismatchError, Notification
from omnipoint.payments.services import charges

# Where a parcel's money comes from on the ledger, by tender (the wallet's spend already moved
# the member's money to "wallet spent"; it moves on from there, as a bill's does).
SOURCE = {
    PayMethod.CASH: AccountKind.PARCEL_CASH_IN,
    PayMethod.WALLET: AccountKind.WALLET_SPENT,
    PayMethod.QR: AccountKind.PARCEL_ONLINE_IN,
}


def _account(kind: AccountKind) -> str:
    return ledger.account_for(actor=PLATFORM, kind=kind).code


def _key(parcel: Parcel, what: str) -> str:
    return f"parcel:{parcel.number}:{what}"


def _takings(parcel: Parcel, *, back: bool = False) -> PostingRequest:
    """The parcel's money to postage earned, or (``back``) from it again."""
    source, postage = _account(SOURCE[PayMethod(parcel.pay_method)]), _account(AccountKind.PARCEL_POSTAGE)
    return PostingRequest(
        key=_key(parcel, "void" if back else "paid"),
        debit=postage if back else source,
        credit=source if back else postage,
        amount=parcel.total,
        code=VOID_CODE if back else PAY_CODE,
        reference=f"parcel:{parcel.number}",
        refund_of=_key(parcel, "paid") if back else "",
    )


@transaction.atomic
def _paid(parcel_id: int, method: str, ref: str) -> bool:
    """Paid once: the parcel is accepted, its first event recorded, its takings posted. False
    when it was paid already, voided or expired."""
    now = timezone.now()
    moved = Parcel.objects.filter(pk=parcel_id, paid_at__isnull=True, voided_at__isnull=True).update(
        paid_at=now,
        pay_method=method,
        pay_ref=ref,
        state=ParcelState.ACCEPTED,
        state_rank=RANK[ParcelState.ACCEPTED],
    )
    if moved != 1:
        return False
    parcel = Parcel.objects.select_related("origin").get(pk=parcel_id)
    ParcelEvent.objects.create(
        parcel=parcel, event_id=f"accept:{parcel.number}", kind=ParcelState.ACCEPTED, source=EventSource.COUNTER,
        occurred_at=now, outlet=parcel.origin, staff_id=None, moved=True,
    )  # fmt: skip
    ledger.postings_create([_takings(parcel)], actor=PLATFORM)
    return True


def parcel_pay(*, actor: StaffActor, number: str, method: str, return_url: str = "") -> Parcel:
    """The sender pays at the counter: cash in hand, their wallet (they are the member of the
    sender's mobile), or the sandbox gateway's QR code, which they scan and pay on their phone
    (asking again tells whether the gateway has been paid). Paid, the parcel is accepted."""
    actor.require(Perm.PARCEL)
    parcel = _counter_parcel(actor, number)
    if method not in PayMethod.values:
        raise ValidationError("method is cash, wallet or qr", code="invalid_method")
    _refused_if_closed(parcel)
    if parcel.paid_at is not None:
        return parcel
    if method == PayMethod.CASH:
        _paid(parcel.pk, method, "")
    elif method == PayMethod.WALLET:
        _pay_wallet(actor, parcel)
    else:
        _pay_qr(parcel, return_url)
    parcel.refresh_from_db()
    if parcel.paid_at is None:  # voided or expired meanwhile: this payment did not happen
        _refused_if_closed(parcel)
    return parcel


@transaction.atomic
def _pay_wallet(actor: StaffActor, parcel: Parcel) -> None:
    member = member_find(mobile=parcel.sender_mobile)
    key = _key(parcel, "wallet")
    wallet_spend(
        actor=actor, member_id=member.pk, amount=parcel.total, key=key, reference=f"parcel:{parcel.number}",
        hold_seconds=600,
    )  # fmt: skip
    if not _paid(parcel.pk, PayMethod.WALLET, key):  # paid or voided meanwhile: the spend rolls back
        raise ConflictError("the parcel was paid or voided meanwhile", code="parcel_paid")
    wallet_capture(actor=PLATFORM, key=key)


def _check_return_url(return_url: str) -> str:
    if return_url and (not return_url.startswith("/") or return_url.startswith("//") or "\\" in return_url):
        raise ValidationError("return_url must be a path on this site", code="invalid_return_url")
    return return_url[:200]


def _pay_qr(parcel: Parcel, return_url: str) -> None:
    """A charge at the gateway for the parcel (one: the gateway knows it by the parcel's number),
    or, when it has one, what became of it; failed, the counter takes another tender."""
    return_url = _check_return_url(return_url)
    if parcel.charge_ref:
        if _charge_settle(parcel) == "failed":
            raise InvalidStateError("the QR payment failed: take another tender", code="qr_failed")
        return
    charge = charges.charge_open(
        actor=PLATFORM, merchant_ref=parcel.number, amount=parcel.total, description=f"邮件 {parcel.number}",
        return_url=return_url,
    )  # fmt: skip
    Parcel.objects.filter(pk=parcel.pk, paid_at__isnull=True, voided_at__isnull=True).update(
        pay_method=PayMethod.QR, pay_ref=charge.provider_ref, charge_ref=charge.provider_ref
    )


# --- the gateway's QR charge -----------------------------------------------------------------


def _charge_settle(parcel: Parcel) -> str:
    """Ask the gateway about the parcel's charge and apply a payment it took: "paid",
    "duplicate", "refunded", or what the gateway says ("pending", "failed")."""
    status = charges.charge_query(actor=PLATFORM, provider_ref=parcel.charge_ref)
    return _charge_paid(parcel.pk, parcel.charge_ref) if status == "succeeded" else status


@transaction.atomic
def _charge_paid(parcel_id: int, ref: str) -> str:
    """The gateway took the payer's money for charge ``ref``: the parcel is paid by it, once
    ("paid"; "duplicate" when it already was), or, paid another way, voided or expired first,
    the money goes back, once ("refunded")."""
    if _paid(parcel_id, PayMethod.QR, ref):
        return "paid"
    parcel = Parcel.objects.get(pk=parcel_id)
    if parcel.voided_at is None and (parcel.pay_method, parcel.pay_ref) == (PayMethod.QR, ref):
        return "duplicate"
    return "refunded" if _refund_charge(parcel, ref) else "duplicate"


def _refund_charge(parcel: Parcel, ref: str) -> bool:
    """The charge's money back to the payer, once (False when it went back already); a refusal
    by the gateway rolls the claim back with the rest."""
    claimed = Parcel.objects.filter(pk=parcel.pk, charge_ref=ref, charge_refunded_at__isnull=True).update(
        charge_refunded_at=timezone.now()
    )
    if claimed != 1:
        return False
    charges.charge_refund(actor=PLATFORM, provider_ref=ref, amount=parcel.total)
    return True


def _charge_notified(note: Notification) -> str | None:
    """The gateway's verified notification, when it names a parcel's charge (registered in
    ``payments.hooks.CHARGE_NOTIFIED``): the outcome for its log, None when it is not ours."""
    try:
        number = domain.s10_normalise(note.merchant_ref)
    except DomainError:
        return None
    parcel = Parcel.objects.filter(number=number).exclude(charge_ref="").first()
    if parcel is None:
        return None
    if note.status == "failed":  # nothing was taken; the counter opens another charge
        return "parcel_failed"
    if note.provider_ref != parcel.charge_ref or note.amount != parcel.total:
        raise AmountMismatchError(
            "the notification names another charge or amount", notified=note.amount, expected=parcel.total
        )
    return "parcel_" + _charge_paid(parcel.pk, parcel.charge_ref)


def parcels_settle_qr(*, actor: SystemActor, batch: int = 200) -> int:
    """The sweep: parcels waiting on a QR charge, asked of the gateway. Returns how many it paid."""
    require_platform(actor)
    open_ = Parcel.objects.filter(paid_at__isnull=True, voided_at__isnull=True).exclude(charge_ref="")
    return sum(_charge_settle(p) == "paid" for p in open_.order_by("pk")[:batch])


# --- voided, expired -------------------------------------------------------------------------


@transaction.atomic
def _close(parcel_id: int, *, to: ParcelState, reason: str, staff_id: int | None = None) -> bool:
    """Voided or expired, once, from a state before the parcel leaves; what it was paid goes
    back (the posting reversed, the tender refunded). False when it was closed or moved on."""
    now = timezone.now()
    closing = Parcel.objects.filter(pk=parcel_id, voided_at__isnull=True, state__in=domain.VOIDABLE)
    if to == ParcelState.EXPIRED:  # only what is still unpaid: a payment that won keeps its parcel
        closing = closing.filter(paid_at__isnull=True)
    done = closing.update(state=to, state_rank=RANK[to], voided_at=now, void_reason=reason)
    if done != 1:
        return False
    parcel = Parcel.objects.select_related("origin").get(pk=parcel_id)  # paid or not, as it is now
    ParcelEvent.objects.create(
        parcel=parcel, event_id=f"{to}:{parcel.number}", kind=to, source=EventSource.COUNTER, occurred_at=now,
        outlet=parcel.origin, staff_id=staff_id, moved=True,
    )  # fmt: skip
    if parcel.paid_at is None:
        return True
    ledger.postings_create([_takings(parcel, back=True)], actor=PLATFORM)
    if parcel.pay_method == PayMethod.WALLET:
        wallet_refund(
            actor=PLATFORM, key=parcel.pay_ref, amount=parcel.total, refund_key=_key(parcel, "refund")
        )
    elif parcel.pay_method == PayMethod.QR:
        _refund_charge(parcel, parcel.pay_ref)
    return True


def parcel_void(*, actor: StaffActor, number: str, reason: str) -> Parcel:
    """The counter voids a parcel before it leaves (unpaid, or paid and not yet dispatched):
    the money goes back by the tender it came by (cash is handed back), the posting reversed.
    A QR charge still open is asked first, so money paid at the last moment goes back too."""
    actor.require(Perm.PARCEL)
    parcel = _counter_parcel(actor, number)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise ValidationError("say why the parcel is voided (1..200 characters)", code="reason_required")
    _refused_if_closed(parcel)
    if parcel.state not in domain.VOIDABLE:
        raise InvalidStateError("a parcel is voided only before it leaves", code="parcel_not_voidable")
    if parcel.paid_at is None and parcel.charge_ref:
        _charge_settle(parcel)
    if not _close(parcel.pk, to=ParcelState.VOIDED, reason=reason, staff_id=actor.staff_id):
        parcel.refresh_from_db()
        _refused_if_closed(parcel)
        raise InvalidStateError("the parcel left meanwhile", code="parcel_not_voidable")
    parcel.refresh_from_db()
    return parcel


def parcels_expire_unpaid(*, actor: SystemActor, now: datetime | None = None, batch: int = 200) -> int:
    """The sweep: parcels accepted but not paid within ``PARCEL_PAY_SECONDS`` expire (their
    number no longer payable; money for their charge that arrives later goes back). An open QR
    charge is asked first: paid at the last moment, the parcel is accepted instead."""
    require_platform(actor)
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.PARCEL_PAY_SECONDS)
    due = Parcel.objects.filter(
        state=ParcelState.CREATED, paid_at__isnull=True, voided_at__isnull=True, created_at__lt=cutoff
    ).order_by("pk")[:batch]
    expired = 0
    for parcel in due:
        if parcel.charge_ref and _charge_settle(parcel) == "paid":
            continue
        expired += _close(parcel.pk, to=ParcelState.EXPIRED, reason="")
    return expired
