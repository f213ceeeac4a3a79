"""Points and stored value, on the ledger.

Every balance change is a ledger posting (idempotent by key, guarded against overdraft);
points lots are decremented by guarded UPDATEs in expiry order. The accounts, by kind
(``ledger.domain.AccountKind``):

  MEMBER_POINTS                  PTS  the member's points (never below zero)
  MEMBER_WALLET_PRINCIPAL        CNY  money the member paid in (never below zero)
  MEMBER_WALLET_BONUS            CNY  bonus the platform added (never below zero)
  POINTS_ISSUED / _REDEEMED / _EXPIRED / _CLAWED_BACK
  WALLET_CASH_IN / _BONUS_EXPENSE / _SPENT
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from omnipoint.core.errors import ConflictError, InvalidStateError, NotFoundError, ValidationError
from omnipoint.ledger import selectors as ledger
from omnipoint.ledger.domain import WALLET_PARTS, AccountKind, account_code, refund_reference
from omnipoint.ledger.models import Account, Posting, PostingState, Unit
from omnipoint.ledger.services import (
    AlreadyPosted,
    InsufficientBalanceError,
    PostingRequest,
    account_for,
    posting_post_pending,
    posting_void_pending,
    postings_create,
)
from omnipoint.loyalty import domain
from omnipoint.loyalty.hooks import MEMBER_SPEND
from omnipoint.loyalty.models import (
    EarnRule,
    LotUse,
    OnlineTopup,
    PointsLot,
    Tier,
    TopupPackage,
    TopupState,
)
from omnipoint.members.models import Member
from omnipoint.outlets.domain import SYSTEM, Actor, Perm
from omnipoint.outlets.models import Outlet

ISSUED, REDEEMED, EXPIRED, CLAWED = (
    account_code(AccountKind.POINTS_ISSUED),
    account_code(AccountKind.POINTS_REDEEMED),
    account_code(AccountKind.POINTS_EXPIRED),
    account_code(AccountKind.POINTS_CLAWED_BACK),
)
CASH_IN, BONUS_EXPENSE, SPENT = (
    account_code(AccountKind.WALLET_CASH_IN),
    account_code(AccountKind.WALLET_BONUS_EXPENSE),
    account_code(AccountKind.WALLET_SPENT),
)
POINTS_PLATFORM = (
    AccountKind.POINTS_ISSUED,
    AccountKind.POINTS_REDEEMED,
    AccountKind.POINTS_EXPIRED,
    AccountKind.POINTS_CLAWED_BACK,
)
WALLET_PLATFORM = (AccountKind.WALLET_CASH_IN, AccountKind.WALLET_BONUS_EXPENSE, AccountKind.WALLET_SPENT)
MAX_TOPUP = 50_000_00  # fen: a single top-up above 50,000 yuan needs a bank, not a counter


def _member(member_id: int) -> Member:
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise NotFoundError(f"member {member_id} not found", code="member_not_found")
    return member


def points_account(member: Member) -> Account:
    for kind in POINTS_PLATFORM:
        account_for(actor=SYSTEM, kind=kind, name=account_code(kind))
    return account_for(
        actor=SYSTEM, kind=AccountKind.MEMBER_POINTS, owner_id=member.pk, name=f"points of {member.mobile}"
    )


def wallet_accounts(member: Member) -> tuple[Account, Account]:
    for kind in WALLET_PLATFORM:
        account_for(actor=SYSTEM, kind=kind, name=account_code(kind))
    principal = account_for(
        actor=SYSTEM,
        kind=AccountKind.MEMBER_WALLET_PRINCIPAL,
        owner_id=member.pk,
        name=f"wallet principal of {member.mobile}",
    )
    bonus = account_for(
        actor=SYSTEM,
        kind=AccountKind.MEMBER_WALLET_BONUS,
        owner_id=member.pk,
        name=f"wallet bonus of {member.mobile}",
    )
    return principal, bonus


# --- points ---------------------------------------------------------------------------------


@transaction.atomic
def points_award(
    *,
    member_id: int,
    points: int,
    key: str,
    reference: str = "",
    validity_days: int = 365,
    code: str = "earn",
) -> PointsLot:
    """Credit points as one lot that expires on its own date. Idempotent by ``key``."""
    if not 0 < points <= 10**9:
        raise ValidationError("points must be positive", code="invalid_amount")
    member = _member(member_id)
    account = points_account(member)
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
    *, member_id: int, points: int, key: str, reference: str = "", hold_seconds: int | None = None
) -> Posting:
    """Spend points (a tender, a redemption). With ``hold_seconds`` it is a pending hold,
    captured by points_capture or given back by points_release. Oldest lots first."""
    if not 0 < points <= 10**9:
        raise ValidationError("points must be positive", code="invalid_amount")
    member = _member(member_id)
    account = points_account(member)
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
def points_capture(*, key: str) -> Posting:
    return posting_post_pending(actor=SYSTEM, pending_key=key, key=f"{key}:capture")


@transaction.atomic
def points_release(*, key: str) -> Posting:
    """Void a points hold; the points return to their lots (at most what the hold took)."""
    resolution = posting_void_pending(actor=SYSTEM, pending_key=key, key=f"{key}:release")
    _restore_lots(key, resolution.amount)
    return resolution


@transaction.atomic
def points_refund(*, spend_key: str, points: int, key: str) -> Posting:
    """Give back (part of) a spend: a reversal posting, and the points return to their lots."""
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


def points_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """Expire what is left of each lot past its date (not what a pending hold has promised)."""
    now = now or timezone.now()
    expired = 0
    for lot in PointsLot.objects.filter(remaining__gt=0, expires_at__lte=now).select_related("member")[
        :batch
    ]:
        with transaction.atomic():
            account = points_account(lot.member)
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


def points_balance(*, member: Member) -> int:
    return ledger.balance(kind=AccountKind.MEMBER_POINTS, owner_id=member.pk)


# --- earning on orders ----------------------------------------------------------------------


def member_spend_12m(*, member: Member) -> int:
    """What the member spent in the last twelve months, returns taken off: orders answer it
    (``MEMBER_SPEND``, registered by OrdersConfig.ready())."""
    return MEMBER_SPEND(member.pk, timezone.now() - timedelta(days=365))


def member_tier(*, member: Member) -> Tier | None:
    tiers = list(Tier.objects.all())
    chosen = domain.tier_for(
        member_spend_12m(member=member),
        [domain.TierDef(t.code, t.min_spend, t.points_multiplier) for t in tiers],
    )
    return next((t for t in tiers if chosen and t.code == chosen.code), None)


def _rules() -> list[domain.RuleDef]:
    return [
        domain.RuleDef(
            r.pk,
            r.name,
            r.points_per_yuan,
            r.channel,
            r.category_id,
            r.outlet_id,
            r.bonus,
            r.validity_days,
            r.starts_at,
            r.ends_at,
        )
        for r in EarnRule.objects.filter(is_active=True)
    ]


def points_earn_for_order(*, order: domain.OrderForPoints) -> list[PointsLot]:
    """Credit the points an order earns, when it completes (online or at the counter alike)."""
    if order.member_id is None:
        return []
    tier = member_tier(member=_member(order.member_id))
    # What was paid with points earns no points: scale each line by the share paid otherwise.
    paid_otherwise = max(order.total - order.paid_by_points, 0)
    lines = [
        domain.EarnLine(line.category_id, line.amount * paid_otherwise // order.total if order.total else 0)
        for line in order.lines
    ]
    awards = domain.points_for_order(
        lines,
        channel=order.channel,
        outlet_id=order.outlet_id,
        rules=_rules(),
        multiplier=tier.points_multiplier if tier else domain.Decimal(1),
        at=timezone.now(),
    )
    return [
        points_award(
            member_id=order.member_id,
            points=a.points,
            key=f"earn:{order.number}:{a.rule_id}",
            reference=f"order:{order.number}",
            validity_days=a.validity_days,
        )
        for a in awards
    ]


def points_clawback_for_return(*, order: domain.OrderForPoints, amount: int, key: str) -> int:
    """Take back the points a returned part of an order earned (in proportion to the refund),
    as far as the member still has them. Returns the points taken."""
    if order.member_id is None or order.total == 0:
        return 0
    earned = ledger.amount_of_reference(reference=f"order:{order.number}", code="earn")
    due = earned * amount // order.total
    member = _member(order.member_id)
    account = points_account(member)
    take = min(due, account.available)
    if take <= 0:
        return 0
    _post_taking_lots(
        member, PostingRequest(key, account.code, CLAWED, take, "clawback", f"order:{order.number}")
    )
    return take


# --- stored value ---------------------------------------------------------------------------


@transaction.atomic
def wallet_topup(
    *, member_id: int, key: str, package_id: int | None = None, amount: int | None = None, reference: str = ""
) -> list[Posting]:
    """Money paid in becomes principal; a package's bonus is credited apart, so refunds and
    the books can tell them apart. Linked postings: both or neither. Idempotent by ``key``."""
    member = _member(member_id)
    if package_id is not None:
        package = TopupPackage.objects.filter(pk=package_id, is_active=True).first()
        if package is None:
            raise NotFoundError(f"package {package_id} not found", code="package_not_found")
        pay, bonus = package.pay_amount, package.bonus_amount
    elif amount is not None:
        pay, bonus = amount, 0
    else:
        raise ValidationError("give a package or an amount", code="amount_required")
    if not 0 < pay <= MAX_TOPUP:
        raise ValidationError(f"a top-up is 0.01 .. {MAX_TOPUP // 100} yuan", code="invalid_amount")
    principal, bonus_account = wallet_accounts(member)
    legs = [PostingRequest(f"{key}:principal", CASH_IN, principal.code, pay, "topup", reference)]
    if bonus:
        legs.append(
            PostingRequest(f"{key}:bonus", BONUS_EXPENSE, bonus_account.code, bonus, "topup-bonus", reference)
        )
    return postings_create(legs, actor=SYSTEM, group=key)


@transaction.atomic
def wallet_spend(
    *, member_id: int, amount: int, key: str, reference: str = "", hold_seconds: int | None = None
) -> list[Posting]:
    """Pay from the wallet: principal first, then bonus, as linked postings; with
    ``hold_seconds`` they are pending holds (captured or released later)."""
    member = _member(member_id)
    if not 0 < amount <= 10**10:
        raise ValidationError("amount must be positive", code="invalid_amount")
    principal, bonus = wallet_accounts(member)
    existing = ledger.postings_by_keys(keys=_leg_keys(key))
    if existing:
        if sum(p.amount for p in existing) != amount:
            raise ConflictError("this key paid a different amount", code="posting_key_reused")
        return existing
    pending = hold_seconds is not None
    for _attempt in range(3):
        principal.refresh_from_db()
        bonus.refresh_from_db()
        try:
            from_p, from_b = domain.split_wallet(amount, principal=principal.available, bonus=bonus.available)
        except ValueError:
            raise InsufficientBalanceError(
                f"the wallet has {principal.available + bonus.available} available, {amount} needed",
                available=principal.available + bonus.available,
                requested=amount,
            ) from None
        legs = [
            PostingRequest(
                f"{key}:{part}",
                account.code,
                SPENT,
                value,
                "spend",
                reference,
                pending=pending,
                timeout_seconds=hold_seconds,
            )
            for part, account, value in (("principal", principal, from_p), ("bonus", bonus, from_b))
            if value
        ]
        # The guarded UPDATEs decide; the split read above only chooses where the money comes
        # from, so when a concurrent spend moved it, read again and split anew.
        try:
            with transaction.atomic():
                return postings_create(legs, actor=SYSTEM, group=key)
        except InsufficientBalanceError:
            continue
    raise InsufficientBalanceError(f"the wallet has less than {amount} available", requested=amount)


def _leg_keys(key: str) -> list[str]:
    """A wallet payment's legs: one posting a wallet part (``key:principal``, ``key:bonus``)."""
    return [f"{key}:{part}" for part in WALLET_PARTS]


def _legs(key: str) -> list[Posting]:
    legs = ledger.postings_by_keys(keys=_leg_keys(key))
    if not legs:
        raise NotFoundError(f"wallet payment {key} not found", code="spend_not_found")
    return legs


@transaction.atomic
def wallet_capture(*, key: str) -> None:
    for leg in _legs(key):
        if leg.kind == PostingState.PENDING:
            posting_post_pending(actor=SYSTEM, pending_key=leg.key, key=f"{leg.key}:capture")


@transaction.atomic
def wallet_release(*, key: str) -> None:
    for leg in _legs(key):
        if leg.kind == PostingState.PENDING:
            posting_void_pending(actor=SYSTEM, pending_key=leg.key, key=f"{leg.key}:release")


@transaction.atomic
def wallet_refund(*, key: str, amount: int, refund_key: str) -> list[Posting]:
    """Refund (part of) a wallet payment into the wallet, principal and bonus in the
    proportions they were paid."""
    legs = {leg.key.rsplit(":", 1)[1]: leg for leg in _legs(key)}
    paid_p = legs["principal"].amount if "principal" in legs else 0
    paid_b = legs["bonus"].amount if "bonus" in legs else 0
    refunded = ledger.refunded_amount(keys=[leg.key for leg in legs.values()])
    if not 0 < amount <= paid_p + paid_b - refunded:
        raise ConflictError("more refunded than paid", code="refund_exceeds_payment")
    back_p, back_b = domain.split_refund(amount, principal=paid_p, bonus=paid_b)
    out = []
    for part, value in (("principal", back_p), ("bonus", back_b)):
        if value:
            out.append(
                PostingRequest(
                    f"{refund_key}:{part}",
                    SPENT,
                    legs[part].debit.code,
                    value,
                    "refund",
                    refund_reference(key),
                    refund_of=legs[part].key,
                )
            )
    return postings_create(out, actor=SYSTEM, group=refund_key)


def wallet_balance(*, member: Member) -> dict[str, int]:
    held = ledger.balances(kinds=WALLET_PARTS.values(), owner_id=member.pk)
    p, b = held[AccountKind.MEMBER_WALLET_PRINCIPAL], held[AccountKind.MEMBER_WALLET_BONUS]
    return {"principal": p, "bonus": b, "total": p + b}


# --- as payment tenders ---------------------------------------------------------------------


def points_for_fen(amount: int) -> int:
    """The points that pay ``amount`` fen at settings.POINTS_PER_YUAN; only exact amounts."""
    points, rest = divmod(amount * settings.POINTS_PER_YUAN, 100)
    if amount <= 0 or rest or points <= 0:
        raise ValidationError(
            f"{amount} fen is not a whole number of points ({settings.POINTS_PER_YUAN} points = 1 yuan)",
            code="invalid_amount",
        )
    return points


def fen_for_points(points: int) -> int:
    """What ``points`` pay, in fen; refused unless it is a whole number of fen."""
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= 10**9:
        raise ValidationError("points must be a positive whole number", code="invalid_amount")
    fen, rest = divmod(points * 100, settings.POINTS_PER_YUAN)
    if rest or fen <= 0:
        raise ValidationError(
            f"{points} points are not a whole number of fen ({settings.POINTS_PER_YUAN} points = 1 yuan)",
            code="invalid_amount",
        )
    return fen


def hold_state(*, key: str) -> str:
    """What became of a hold taken with ``key`` (points: the key; wallet: its legs):
    "pending", "posted" or "voided"."""
    state = ledger.resolution_state(keys=[key, *_leg_keys(key)])
    if state is None:
        raise NotFoundError(f"hold {key} not found", code="spend_not_found")
    return state


def holds_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """The sweep for points holds past their expiry: void them through points_release, so
    that their points go back to their lots (the ledger's own sweep, which does not know
    about lots, then voids whatever else is due: wallet holds)."""
    due = ledger.pending_due(now=now or timezone.now(), unit=Unit.POINTS, code="spend", batch=batch)
    released = 0
    for key in due:
        try:
            points_release(key=key)
            released += 1
        except InvalidStateError:
            pass  # captured or released meanwhile
    return released


# --- top-ups at the counter and online ------------------------------------------------------


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
    *, member_id: int, package_id: int | None = None, amount: int | None = None
) -> OnlineTopup:
    """A pending online top-up, before its charge at the gateway."""
    member = _member(member_id)
    package, pay, bonus = _topup_terms(package_id, amount)
    return OnlineTopup.objects.create(
        number="T" + secrets.token_hex(8).upper(), member=member, package=package, amount=pay, bonus=bonus
    )


def topup_online_charged(*, topup: OnlineTopup, charge_ref: str, pay_url: str) -> OnlineTopup:
    """The gateway's charge the member pays on its hosted page."""
    topup.charge_ref = charge_ref
    topup.pay_url = pay_url
    topup.save(update_fields=["charge_ref", "pay_url"])
    return topup


def topup_online_get(*, number: str) -> OnlineTopup:
    topup = OnlineTopup.objects.filter(number=number).first()
    if topup is None:
        raise NotFoundError(f"top-up {number} not found", code="topup_not_found")
    return topup


def topup_online_failed(*, number: str) -> OnlineTopup:
    """The gateway says the charge failed: a pending top-up fails, nothing is credited."""
    OnlineTopup.objects.filter(number=number, state=TopupState.PENDING).update(state=TopupState.FAILED)
    return topup_online_get(number=number)


@transaction.atomic
def topup_online_paid(*, number: str) -> OnlineTopup:
    """The gateway says the charge was paid: credit the wallet once (a guarded state change)."""
    if (
        OnlineTopup.objects.filter(number=number, state=TopupState.PENDING).update(
            state=TopupState.PAID, credited_at=timezone.now()
        )
        == 1
    ):
        topup = topup_online_get(number=number)
        principal, bonus_account = wallet_accounts(topup.member)
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
    return topup_online_get(number=number)
