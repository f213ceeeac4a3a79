"""A member's online wallet top-up: a charge at the payment gateway (the sandbox), which the
member pays on its hosted page. Loyalty keeps the top-up and credits the wallet; payments talks
to the gateway and tells loyalty what it answered."""

from django.db import transaction
from django.urls import reverse

from omnipoint.core.errors import ValidationError
from omnipoint.loyalty import selectors as loyalty_selectors
from omnipoint.loyalty import services as loyalty
from omnipoint.loyalty.models import OnlineTopup, TopupState
from omnipoint.members.domain import require_self
from omnipoint.outlets.domain import SYSTEM, AnyActor
from omnipoint.payments import sandbox
from omnipoint.payments.models import ChargeState
from omnipoint.payments.providers import online_gateway_check


@transaction.atomic
def topup_online_start(
    *,
    actor: AnyActor,
    member_id: int,
    package_id: int | None = None,
    amount: int | None = None,
    return_url: str = "",
) -> OnlineTopup:
    """A member starts an online top-up of their own wallet (or the platform for them). The
    wallet is credited by topup_online_settle."""
    require_self(actor, member_id)
    online_gateway_check()
    topup = loyalty.topup_online_open(actor=SYSTEM, member_id=member_id, package_id=package_id, amount=amount)
    charge = sandbox.charge_create(
        merchant_ref=topup.number,
        amount=topup.amount,
        description=f"储值 {topup.amount / 100:.2f}",
        return_url=return_url[:200],
    )
    return loyalty.topup_online_charged(
        actor=SYSTEM,
        topup=topup,
        charge_ref=charge.ref,
        pay_url=reverse("payments:sandbox_pay", kwargs={"ref": charge.ref}),
    )


@transaction.atomic
def topup_online_settle(*, actor: AnyActor, number: str) -> OnlineTopup:
    """Ask the gateway about a pending online top-up; credit the wallet once when it was paid.
    The member back from the gateway asks about their own (or the platform, on its notification)."""
    topup = loyalty_selectors.topup_online_get(number=number)
    require_self(actor, topup.member_id)
    if topup.state != TopupState.PENDING:
        return topup
    status = sandbox.charge_status(ref=topup.charge_ref)
    if status == ChargeState.FAILED:
        return loyalty.topup_online_failed(actor=SYSTEM, number=number)
    if status == ChargeState.PAID:
        return loyalty.topup_online_paid(actor=SYSTEM, number=number)
    return topup


def _topup_online_notified(*, merchant_ref: str, provider_ref: str, amount: int) -> str | None:
    """The gateway's notification for an online top-up (one that names no payment). None when
    ``merchant_ref`` is no top-up either."""
    topup = OnlineTopup.objects.filter(number=merchant_ref).first()
    if topup is None:
        return None
    if provider_ref != topup.charge_ref or amount != topup.amount:
        raise ValidationError("the notification does not match the top-up", code="amount_mismatch")
    was = topup.state
    settled = topup_online_settle(actor=SYSTEM, number=topup.number)
    return "duplicate" if was != TopupState.PENDING else f"topup_{settled.state}"
