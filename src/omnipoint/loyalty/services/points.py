"""Points: awarded as lots that expire on their own date, spent oldest lot first (a spend
may be a pending hold, captured or released), refunded back to the lots a spend took from,
expired by the sweep."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import ConflictError, InvalidStateError, NotFoundError, ValidationError
from omnipoint.ledger import selectors as ledger
from omnipoint.ledger.domain import refund_reference
from omnipoint.ledger.models import Posting, Unit
from omnipoint.ledger.services import (
    AlreadyPosted,
    InsufficientBalanceError,
    PostingRequest,
    posting_post_pending,
    posting_void_pending,
    postings_create,
)
from omnipoint.loyalty import domain
from omnipoint.loyalty.models import (
    LotUse,
    PointsLot,
)
from omnipoint.loyalty.services._shared import (
    EXPIRED,
    ISSUED,
    REDEEMED,
    _member,
    _points_account,
)
from omnipoint.members.domain import require_for_member
from omnipoint.members.models import Member
from omnipoint.outlets.domain import SYSTEM, AnyActor, SystemActor, require_platform


@transaction.atomic
def points_award(
    *,
    actor: SystemActor,
    member_id: int,
    points: int,
    key: str,
    reference: str = "",
    validity_days: int = 365,
    code: str = "earn",
) -> PointsLot:
    """Credit points as one lot that expires on its own date. Idempotent by ``key``."""
    require_platform(actor)
    if not 0 < points <= 10**9:
        raise ValidationError("points must be positive", code="invalid_amount")
    member = _member(member_id)
    account = _points_account(member)
    postings_create([PostingRequest(key, ISSUED, account.code, points, code, reference)], actor=SYSTEM)
    lot, _ = PointsLot.objects.get_or_create(
        posting_key=key,
        defaults={
            "member": member,
            "amount": points,
            "remaining": points,
            "reference": reference[:80],
            "expires_at": timezone.now() + timedelta(days=validity_days),
        },
    )
    return lot


def _take_lots(member: Member, amount: int, spend_key: str) -> None:
    """Take ``amount`` from the member's live lots, oldest expiry first, each take guarded."""
    for _attempt in range(5):
        lots = list(
            PointsLot.objects.filter(member=member, remaining__gt=0, expires_at__gt=timezone.now())
            .order_by("expires_at", "pk")
            .values_list("pk", "remaining")
        )
        try:
            takes = domain.take_oldest_first(lots, amount)
        except ValueError:
            raise InsufficientBalanceError("not enough live points", code="insufficient_points") from None
        done = []
        for lot_id, take in takes:
            if (
                PointsLot.objects.filter(pk=lot_id, remaining__gte=take).update(
                    remaining=F("remaining") - take
                )
                != 1
            ):
                break  # the lot moved under us: give back what this pass took and read again
            done.append((lot_id, take))
        else:
            LotUse.objects.bulk_create([LotUse(lot_id=lot, spend_key=spend_key, amount=t) for lot, t in done])
            return
        for lot_id, take in done:
            PointsLot.objects.filter(pk=lot_id).update(remaining=F("remaining") + take)
    raise ConflictError("points kept changing; try again", code="points_contended")


@transaction.atomic
def points_spend(
    *,
    actor: AnyActor,
    member_id: int,
    points: int,
    key: str,
    reference: str = "",
    hold_seconds: int | None = None,
) -> Posting:
    """Spend points (a tender, a redemption). With ``hold_seconds`` it is a pending hold,
    captured by points_capture or given back by points_release. Oldest lots first."""
    require_for_member(actor, member_id)
    if not 0 < points <= 10**9:
        raise ValidationError("points must be positive", code="invalid_amount")
    member = _member(member_id)
    account = _points_account(member)
    request = PostingRequest(
        key,
        account.code,
        REDEEMED,
        points,
        "spend",
        reference,
        pending=hold_seconds is not None,
        timeout_seconds=hold_seconds,
    )
    return _post_taking_lots(member, request)


def _post_taking_lots(member: Member, request: PostingRequest) -> Posting:
    """Post a debit of the member's points and take it from their lots, once: a retry with
    the same key (even a concurrent one) replays the posting and takes nothing again."""
    try:
        with transaction.atomic():
            posting = postings_create([request], actor=SYSTEM, on_replay="raise")[0]
            _take_lots(member, request.amount, request.key)
    except AlreadyPosted as replay:
        return replay.postings[0]
    return posting


def _restore_lots(spend_key: str, amount: int) -> None:
    """Give ``amount`` back to the lots a spend took from, newest expiry first (so what comes
    back lasts longest). Each use is drawn down by a guarded UPDATE before its lot is credited,
    so two concurrent restores of one spend can never give the same points back twice."""
    left = amount
    for use_id, lot_id, used in (
        LotUse.objects.filter(spend_key=spend_key, amount__gt=0)
        .order_by("-lot__expires_at", "-pk")
        .values_list("pk", "lot_id", "amount")
    ):
        back = min(left, used)
        if back <= 0:
            break
        if LotUse.objects.filter(pk=use_id, amount__gte=back).update(amount=F("amount") - back) == 1:
            PointsLot.objects.filter(pk=lot_id).update(remaining=F("remaining") + back)
            left -= back


@transaction.atomic
def points_capture(*, actor: SystemActor, key: str) -> Posting:
    require_platform(actor)
    return posting_post_pending(actor=SYSTEM, pending_key=key, key=f"{key}:capture")


@transaction.atomic
def points_release(*, actor: SystemActor, key: str) -> Posting:
    """Void a points hold; the points return to their lots (at most what the hold took)."""
    require_platform(actor)
    resolution = posting_void_pending(actor=SYSTEM, pending_key=key, key=f"{key}:release")
    _restore_lots(key, resolution.amount)
    return resolution


@transaction.atomic
def points_refund(*, actor: SystemActor, spend_key: str, points: int, key: str) -> Posting:
    """Give back (part of) a spend: a reversal posting, and the points return to their lots."""
    require_platform(actor)
    spend = ledger.posting_get(key=spend_key)
    if spend is None:
        raise NotFoundError(f"spend {spend_key} not found", code="spend_not_found")
    if points > spend.amount - ledger.refunded_amount(keys=[spend_key]):
        raise ConflictError("more refunded than spent", code="refund_exceeds_spend")
    refund = PostingRequest(
        key, REDEEMED, spend.debit.code, points, "refund", refund_reference(spend_key), refund_of=spend_key
    )
    try:
        with transaction.atomic():
            posting = postings_create([refund], actor=SYSTEM, on_replay="raise")[0]
            _restore_lots(spend_key, points)
    except AlreadyPosted as replay:
        return replay.postings[0]
    return posting


def points_expire(*, actor: SystemActor, now: datetime | None = None, batch: int = 500) -> int:
    """Expire what is left of each lot past its date (not what a pending hold has promised)."""
    require_platform(actor)
    now = now or timezone.now()
    expired = 0
    for lot in PointsLot.objects.filter(remaining__gt=0, expires_at__lte=now).select_related("member")[
        :batch
    ]:
        with transaction.atomic():
            account = _points_account(lot.member)
            account.refresh_from_db()
            take = min(lot.remaining, account.available)
            if (
                take <= 0
                or PointsLot.objects.filter(pk=lot.pk, remaining__gte=take).update(
                    remaining=F("remaining") - take
                )
                != 1
            ):
                continue
            postings_create(
                [
                    PostingRequest(
                        f"expire:{lot.posting_key}", account.code, EXPIRED, take, "expire", lot.reference
                    )
                ],
                actor=SYSTEM,
            )
            expired += take
    return expired


def holds_expire(*, actor: SystemActor, now: datetime | None = None, batch: int = 500) -> int:
    """The sweep for points holds past their expiry: void them through points_release, so
    that their points go back to their lots (the ledger's own sweep, which does not know
    about lots, then voids whatever else is due: wallet holds)."""
    require_platform(actor)
    due = ledger.pending_due(now=now or timezone.now(), unit=Unit.POINTS, code="spend", batch=batch)
    released = 0
    for key in due:
        try:
            points_release(actor=actor, key=key)
            released += 1
        except InvalidStateError:
            pass  # captured or released meanwhile
    return released
