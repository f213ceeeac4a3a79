"""Top-ups taken by a clerk at the counter, and online ones: started and settled by payments
(``payments.topups``), which talks to the gateway; loyalty keeps the top-up and credits the wallet."""

import secrets

from django.db import transaction
from django.utils import timezone

from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.ledger.models import Posting
from omnipoint.ledger.services import (
    PostingRequest,
    postings_create,
)
from omnipoint.loyalty import selectors
from omnipoint.loyalty.models import (
    OnlineTopup,
    TopupPackage,
    TopupState,
)
from omnipoint.loyalty.services._shared import (
    BONUS_EXPENSE,
    CASH_IN,
    MAX_TOPUP,
    _member,
    _wallet_accounts,
)
from omnipoint.loyalty.services.wallet import wallet_topup
from omnipoint.members.domain import require_for_member
from omnipoint.outlets.domain import SYSTEM, Actor, AnyActor, Perm, SystemActor, require_platform
from omnipoint.outlets.models import Outlet


def _counter_outlet(actor: Actor, outlet_id: int) -> Outlet:
    actor.require(Perm.STOCK_SELL)
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None or not actor.scope.covers_outlet(outlet_id=outlet.pk, region_path=outlet.region_path):
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    if not outlet.sells_at_counter:
        raise ValidationError(f"{outlet.code} has no counter", code="no_counter")
    return outlet


@transaction.atomic
def wallet_topup_at_counter(
    *,
    actor: Actor,
    member_id: int,
    outlet_id: int,
    client_key: str,
    package_id: int | None = None,
    amount: int | None = None,
) -> list[Posting]:
    """A clerk takes cash at the counter and tops up the member's wallet (a package's bonus
    kept apart). ``client_key`` is the till's own id for the sale: a retry with it tops up
    once; the same key for another top-up is refused."""
    if not 1 <= len(client_key) <= 64:
        raise ValidationError("client_key is 1..64 characters", code="invalid_key")
    outlet = _counter_outlet(actor, outlet_id)
    return wallet_topup(
        actor=SYSTEM,
        member_id=member_id,
        key=f"topup:counter:{client_key}",
        package_id=package_id,
        amount=amount,
        reference=f"outlet:{outlet.code}",
    )


def _topup_terms(package_id: int | None, amount: int | None) -> tuple[TopupPackage | None, int, int]:
    if package_id is not None:
        package = TopupPackage.objects.filter(pk=package_id, is_active=True).first()
        if package is None:
            raise NotFoundError(f"package {package_id} not found", code="package_not_found")
        return package, package.pay_amount, package.bonus_amount
    if amount is None or isinstance(amount, bool) or not 0 < amount <= MAX_TOPUP:
        raise ValidationError(f"a top-up is 0.01 .. {MAX_TOPUP // 100} yuan", code="invalid_amount")
    return None, amount, 0


# Online top-ups are started and settled by payments (payments.topups), which talks to the
# gateway; loyalty keeps the top-up and credits the wallet.


@transaction.atomic
def topup_online_open(
    *, actor: AnyActor, member_id: int, package_id: int | None = None, amount: int | None = None
) -> OnlineTopup:
    """A pending online top-up, before its charge at the gateway."""
    require_for_member(actor, member_id)
    member = _member(member_id)
    package, pay, bonus = _topup_terms(package_id, amount)
    return OnlineTopup.objects.create(
        number="T" + secrets.token_hex(8).upper(), member=member, package=package, amount=pay, bonus=bonus
    )


def topup_online_charged(
    *, actor: SystemActor, topup: OnlineTopup, charge_ref: str, pay_url: str
) -> OnlineTopup:
    """The gateway's charge the member pays on its hosted page."""
    require_platform(actor)
    topup.charge_ref = charge_ref
    topup.pay_url = pay_url
    topup.save(update_fields=["charge_ref", "pay_url"])
    return topup


def topup_online_failed(*, actor: SystemActor, number: str) -> OnlineTopup:
    """The gateway says the charge failed: a pending top-up fails, nothing is credited."""
    require_platform(actor)
    OnlineTopup.objects.filter(number=number, state=TopupState.PENDING).update(state=TopupState.FAILED)
    return selectors.topup_online_get(number=number)


@transaction.atomic
def topup_online_paid(*, actor: SystemActor, number: str) -> OnlineTopup:
    """The gateway says the charge was paid: credit the wallet once (a guarded state change)."""
    require_platform(actor)
    if (
        OnlineTopup.objects.filter(number=number, state=TopupState.PENDING).update(
            state=TopupState.PAID, credited_at=timezone.now()
        )
        == 1
    ):
        topup = selectors.topup_online_get(number=number)
        principal, bonus_account = _wallet_accounts(topup.member)
        key = f"topup:online:{topup.number}"
        legs = [
            PostingRequest(f"{key}:principal", CASH_IN, principal.code, topup.amount, "topup", topup.number)
        ]
        if topup.bonus:
            legs.append(
                PostingRequest(
                    f"{key}:bonus",
                    BONUS_EXPENSE,
                    bonus_account.code,
                    topup.bonus,
                    "topup-bonus",
                    topup.number,
                )
            )
        postings_create(legs, actor=SYSTEM, group=key)
    return selectors.topup_online_get(number=number)
