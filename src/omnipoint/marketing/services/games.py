"""Games (scratch cards, wheels) and their prize draw.

A prize's stock (``remaining > 0``), a game's awards and a player's attempts change only by
guarded UPDATEs; rows are touched in one order: the player's row, the prize, the game, then
the coupon template of a coupon prize."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q

from omnipoint.core.errors import (
    DomainError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
)
from omnipoint.core.explain import Explanation
from omnipoint.loyalty.services import points_award
from omnipoint.marketing import domain
from omnipoint.marketing.errors import AttemptsExhaustedError, BudgetExhaustedError, CouponExpiredError
from omnipoint.marketing.models import (
    Coupon,
    CouponSource,
    CouponTemplate,
    Delivery,
    Game,
    GameAttempt,
    GameKind,
    GamePlayer,
    Prize,
    PrizeKind,
)
from omnipoint.marketing.services._shared import _now, _owner_region, _window
from omnipoint.marketing.services.coupons import _issue
from omnipoint.members.domain import require_self
from omnipoint.members.models import Member
from omnipoint.outlets.domain import SYSTEM, Actor, MemberActor, SystemActor, require_platform


@dataclass(frozen=True)
class PrizeSpec:
    name: str
    kind: str
    weight: int
    stock: int
    coupon_template_id: int | None = None
    points: int = 0


@transaction.atomic
def game_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    prizes: Sequence[PrizeSpec],
    region_code: str = "",
    attempts_per_member: int = 1,
    no_prize_weight: int = 0,
    budget_count: int | None = None,
) -> Game:
    region = _owner_region(actor, region_code)
    owner_path = region.path if region else "/"
    if kind not in GameKind.values:
        raise ValidationError(f"unknown game kind {kind}", code="invalid_kind")
    _window(starts_at, ends_at)
    if attempts_per_member < 1:
        raise ValidationError("attempts_per_member must be at least 1", code="invalid_attempts")
    if not prizes:
        raise ValidationError("a game needs at least one prize", code="no_prizes")
    templates = CouponTemplate.objects.in_bulk([p.coupon_template_id for p in prizes if p.coupon_template_id])
    rows = []
    for p in prizes:
        if p.kind not in PrizeKind.values or p.weight < 0 or p.stock < 0:
            raise ValidationError(f"prize '{p.name}' is invalid", code="invalid_prize")
        if p.kind == PrizeKind.COUPON:
            t = templates.get(p.coupon_template_id or 0)
            if t is None or not t.region_path.startswith(owner_path):
                raise NotFoundError("coupon template not found", code="template_not_found")
        if p.kind == PrizeKind.POINTS and p.points <= 0:
            raise ValidationError(f"prize '{p.name}' gives no points", code="invalid_prize")
        rows.append(
            Prize(
                name=p.name,
                kind=p.kind,
                weight=p.weight,
                stock=p.stock,
                remaining=p.stock,
                coupon_template_id=p.coupon_template_id if p.kind == PrizeKind.COUPON else None,
                points=p.points if p.kind == PrizeKind.POINTS else 0,
            )
        )
    game = Game.objects.create(
        name=name,
        kind=kind,
        region=region,
        region_path=owner_path,
        starts_at=starts_at,
        ends_at=ends_at,
        attempts_per_member=attempts_per_member,
        no_prize_weight=no_prize_weight,
        budget_count=budget_count,
        created_by_id=actor.user_id,
    )
    for row in rows:
        row.game = game
    Prize.objects.bulk_create(rows)
    return game


_DELIVERY = {
    "": Delivery.NONE,
    PrizeKind.COUPON: Delivery.DELIVERED,
    PrizeKind.POINTS: Delivery.PENDING,  # until the loyalty ledger has credited them, just below
    PrizeKind.ITEM: Delivery.TO_COLLECT,
}


class _NoAward(Exception):
    """The drawn prize cannot be given (its stock or a budget ran out): "no prize" instead."""


def points_deliver(*, actor: SystemActor, member_id: int, points: int, key: str, reason: str) -> bool:
    """Credit points won in a game through the loyalty app's ``points_award``, which posts
    them to the ledger with ``key`` as the idempotency key (so a retry credits them once).
    When it refuses, nothing is credited and False is returned: the attempt stays "pending"
    for ``game_points_deliver_pending`` to hand over later."""
    require_platform(actor)
    try:
        with transaction.atomic():
            points_award(actor=actor, member_id=member_id, points=points, key=key, reference=reason[:80])
    except DomainError:
        return False
    return True


def game_points_deliver_pending(*, actor: SystemActor, batch: int = 500) -> int:
    """Hand pending points prizes to the loyalty ledger; safe to repeat (keys are idempotent)."""
    require_platform(actor)
    done = 0
    for attempt in GameAttempt.objects.filter(delivery=Delivery.PENDING).order_by("pk")[:batch]:
        if not points_deliver(
            actor=actor,
            member_id=attempt.member_id,
            points=attempt.points,
            key=f"game-attempt:{attempt.pk}",
            reason=f"game:{attempt.game_id}",
        ):
            break
        done += GameAttempt.objects.filter(pk=attempt.pk, delivery=Delivery.PENDING).update(
            delivery=Delivery.DELIVERED
        )
    return done


def _award(game: Game, prize: Prize, member: Member, now: datetime) -> Coupon | None:
    """Take one of the prize's stock and one of the game's budget, and issue a coupon prize.
    Guarded; raises _NoAward when any of them ran out."""
    if Prize.objects.filter(pk=prize.pk, remaining__gt=0).update(remaining=F("remaining") - 1) != 1:
        raise _NoAward(Explanation(domain.OfferWhy.PRIZE_RAN_OUT, {"prize": prize.name}))
    if (
        Game.objects.filter(pk=game.pk)
        .filter(Q(budget_count__isnull=True) | Q(awarded_count__lt=F("budget_count")))
        .update(awarded_count=F("awarded_count") + 1)
        != 1
    ):
        raise _NoAward(Explanation(domain.OfferWhy.PRIZE_BUDGET_SPENT))
    if prize.kind != PrizeKind.COUPON:
        return None
    assert prize.coupon_template is not None
    try:
        return _issue(
            prize.coupon_template,
            member,
            source=CouponSource.GAME,
            user_id=None,
            now=now,
            per_member_limit=False,
        )
    except (BudgetExhaustedError, CouponExpiredError) as exc:
        why = (
            domain.OfferWhy.PRIZE_COUPONS_GONE
            if isinstance(exc, BudgetExhaustedError)
            else domain.OfferWhy.PRIZE_COUPON_WITHDRAWN
        )
        raise _NoAward(Explanation(why, {"prize": prize.name})) from exc


@transaction.atomic
def game_play(
    *, actor: MemberActor | SystemActor, member: Member, game_id: int, now: datetime | None = None
) -> GameAttempt:
    """One scratch or spin: count the attempt (guarded, per member), draw by weight with
    ``secrets``, and award the prize only if its stock and the game's budget allow; a prize
    whose stock ran out turns into "no prize"."""
    require_self(actor, member.pk)
    at = _now(now)
    game = Game.objects.filter(pk=game_id, is_active=True).first()
    if game is None:
        raise NotFoundError(f"game {game_id} not found", code="game_not_found")
    if not game.starts_at <= at < game.ends_at:
        raise InvalidStateError(f"'{game.name}' is not open now", code="game_closed")
    GamePlayer.objects.bulk_create([GamePlayer(game=game, member=member)], ignore_conflicts=True)
    if (
        GamePlayer.objects.filter(game=game, member=member, attempts__lt=game.attempts_per_member).update(
            attempts=F("attempts") + 1
        )
        != 1
    ):
        raise AttemptsExhaustedError(
            f"{game.attempts_per_member} attempt(s) per member", limit=game.attempts_per_member
        )
    prizes = {p.pk: p for p in Prize.objects.select_related("coupon_template").filter(game=game)}
    weights = [(p.pk, p.weight) for p in prizes.values()]
    span = domain.prize_roll_range(weights, game.no_prize_weight)
    drawn = domain.prize_pick(weights, game.no_prize_weight, secrets.randbelow(span)) if span else None
    prize, coupon, why = None, None, None
    if drawn is not None:
        try:
            with transaction.atomic():
                coupon = _award(game, prizes[drawn], member, at)
                prize = prizes[drawn]
        except _NoAward as exc:
            why = exc.args[0].as_json()
    attempt = GameAttempt.objects.create(
        game=game,
        member=member,
        prize=prize,
        drawn_prize_id=drawn,
        coupon=coupon,
        points=prize.points if prize else 0,
        why=why,
        delivery=_DELIVERY[prize.kind if prize else ""],
    )
    if prize is not None and prize.kind == PrizeKind.POINTS:
        delivered = points_deliver(
            actor=SYSTEM,
            member_id=member.pk,
            points=prize.points,
            key=f"game-attempt:{attempt.pk}",
            reason=f"game:{game.pk}",  # a reference, like order:<number>: no prose
        )
        if delivered:
            GameAttempt.objects.filter(pk=attempt.pk).update(delivery=Delivery.DELIVERED)
            attempt.delivery = Delivery.DELIVERED
    return attempt
