"""Writes for virtual items: asked for by a higher app (orders, once an order is paid), sent to
the provider outside any transaction, settled once by compare-and-set on ``requested`` (the
provider's callback, its refusal, or our timeout, whichever comes first), and the outcome told
to the asker through ``hooks.VIRTUAL_SETTLED`` in the settling transaction. Only the platform
acts here: the asker authorised the person; the callback is trusted by its signature."""

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from omnipoint.core.errors import ConflictError, NotFoundError, ValidationError, require_quantity
from omnipoint.outlets.domain import SystemActor, require_platform
from omnipoint.virtuals import providers
from omnipoint.virtuals.domain import (
    RefusalReason,
    VirtualOutcome,
    VirtualState,
)
from omnipoint.virtuals.hooks import VIRTUAL_SETTLED
from omnipoint.virtuals.models import VirtualCallback, VirtualFulfilment


@transaction.atomic
def virtual_request(
    *, actor: SystemActor, owner_ref: str, sku_code: str, target: str, amount: int, quantity: int
) -> VirtualFulfilment:
    """Ask for a virtual item, once per ``owner_ref`` (asked again: the same row). The provider
    is asked when the asking transaction commits (``virtual_send``, by the task queue)."""
    require_platform(actor)
    require_quantity(quantity)
    if not target or amount < 0:
        raise ValidationError("a virtual item needs its target and amount", code="invalid_target")
    row, created = VirtualFulfilment.objects.get_or_create(
        owner_ref=owner_ref[:60],
        defaults={
            "provider": providers.default_code(),
            "sku_code": sku_code[:40],
            "target": target[:40],
            "amount": amount,
            "quantity": quantity,
            "deadline": timezone.now() + timedelta(seconds=settings.VIRTUALS_CONFIRM_SECONDS),
        },
    )
    if created:
        _send_later(row.pk)
    return row


def _send_later(fulfilment_id: int) -> None:
    from omnipoint.virtuals.tasks import virtual_send_task

    transaction.on_commit(lambda: virtual_send_task(fulfilment_id))


def virtual_send(*, actor: SystemActor, fulfilment_id: int) -> str:
    """Ask the provider, outside any transaction (a slow provider holds no lock): a refusal
    settles at once, a pending answer waits for the callback or the deadline."""
    require_platform(actor)
    row = VirtualFulfilment.objects.filter(pk=fulfilment_id).first()
    if row is None:
        raise NotFoundError(f"virtual item {fulfilment_id} not found", code="virtual_not_found")
    if row.state != VirtualState.REQUESTED:
        return row.state
    VirtualFulfilment.objects.filter(pk=row.pk).update(sent=True)  # from now on it may be taken
    answer = providers.provider_get(row.provider).request(
        merchant_ref=row.merchant_ref, sku_code=row.sku_code, target=row.target, amount=row.amount
    )
    if answer.status == "refused":
        return _settle(row.pk, VirtualState.REFUSED, reason=answer.reason or RefusalReason.PROVIDER_REFUSED)
    VirtualFulfilment.objects.filter(pk=row.pk, provider_ref="").update(provider_ref=answer.provider_ref)
    if answer.status == "fulfilled":
        return _settle(row.pk, VirtualState.FULFILLED, provider_ref=answer.provider_ref)
    return VirtualState.REQUESTED


def virtual_callback_receive(
    *, actor: SystemActor, provider: str, body: bytes, headers: Mapping[str, str]
) -> str:
    """A provider tells what became of an item (signed). Forged, stale, replayed (a nonce seen
    before), unknown or mismatched callbacks are refused and change nothing; one that comes
    after the item was settled the other way is answered with the state that won."""
    require_platform(actor)
    p = providers.provider_get(provider)
    note = p.verify(body, headers)
    row = VirtualFulfilment.objects.filter(pk=_id_of(note.merchant_ref), provider=p.code).first()
    if row is None:
        raise NotFoundError(f"virtual item {note.merchant_ref} not found", code="virtual_not_found")
    if note.amount != row.amount:
        raise ConflictError("the callback names another amount", code="callback_mismatch")
    with transaction.atomic():
        try:
            with transaction.atomic():
                log = VirtualCallback.objects.create(provider=p.code, nonce=note.nonce, fulfilment=row)
        except IntegrityError:
            raise ConflictError("this callback was already taken", code="callback_replayed") from None
        if note.status == "fulfilled":
            outcome = _settle(row.pk, VirtualState.FULFILLED, provider_ref=note.provider_ref)
        else:
            outcome = _settle(row.pk, VirtualState.REFUSED, reason=RefusalReason.PROVIDER_REFUSED)
        VirtualCallback.objects.filter(pk=log.pk).update(outcome=outcome)
    return outcome


def _id_of(merchant_ref: str) -> int:
    digits = merchant_ref[2:] if merchant_ref.startswith("VF") else ""
    return int(digits) if digits.isdigit() and len(digits) < 18 else 0


def virtuals_settle_overdue(*, actor: SystemActor, now: datetime | None = None) -> int:
    """The sweep: items past their deadline unconfirmed. One never sent is sent now; one sent
    is cancelled at the provider, and refused only if the provider agreed it is not fulfilled
    (a late confirmation never loses: it is fulfilled instead). Returns how many settled."""
    require_platform(actor)
    now = now or timezone.now()
    settled = 0
    overdue = VirtualFulfilment.objects.filter(state=VirtualState.REQUESTED, deadline__lt=now)
    for row in overdue.order_by("pk")[:200]:
        if not row.sent:
            settled += virtual_send(actor=actor, fulfilment_id=row.pk) != VirtualState.REQUESTED
            continue
        if providers.provider_get(row.provider).cancel(merchant_ref=row.merchant_ref):
            _settle(row.pk, VirtualState.REFUSED, reason=RefusalReason.TIMED_OUT)
        else:
            _settle(row.pk, VirtualState.FULFILLED)
        settled += 1
    return settled


@transaction.atomic
def _settle(fulfilment_id: int, state: VirtualState, *, reason: str = "", provider_ref: str = "") -> str:
    """Compare-and-set ``requested`` to the outcome and tell the asker, in one transaction: of
    a confirmation and a refusal racing, exactly one is told. Returns the state that won."""
    fields: dict[str, object] = {"state": state, "reason": reason, "settled_at": timezone.now()}
    if provider_ref:
        fields["provider_ref"] = provider_ref
    rows = VirtualFulfilment.objects.filter(pk=fulfilment_id, state=VirtualState.REQUESTED)
    if rows.update(**fields) != 1:
        return VirtualFulfilment.objects.values_list("state", flat=True).get(pk=fulfilment_id)
    owner_ref = VirtualFulfilment.objects.values_list("owner_ref", flat=True).get(pk=fulfilment_id)
    VIRTUAL_SETTLED(VirtualOutcome(fulfilment_id, owner_ref, state, reason))
    return state
