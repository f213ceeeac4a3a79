"""Reads of bill payment: an outlet that takes bills, what an account owes (asked of its
biller), a payment, an outlet's payments, a month's volume, and an agent's day at a glance."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from omnipoint.billpay import domain
from omnipoint.billpay.billers import BillDue, Biller, biller_get
from omnipoint.billpay.domain import PayMode, PayState, RebateSchedule, TierProgress
from omnipoint.billpay.models import AgentRating, BillOutlet, BillPayment
from omnipoint.core.errors import InvalidStateError, NotFoundError, PermissionDeniedError, ValidationError
from omnipoint.core.geo import bounding_box, haversine_km
from omnipoint.ledger.domain import AccountKind
from omnipoint.ledger.selectors import balance
from omnipoint.outlets.domain import AnyActor, MemberActor, Perm
from omnipoint.outlets.models import Outlet
from omnipoint.outlets.selectors import scope_q


def point_get(*, actor: AnyActor, outlet_id: int) -> BillOutlet:
    """The outlet, in the actor's scope, as a taker of bills (409 if it takes none)."""
    if actor.member_id is not None:
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    outlet = Outlet.objects.filter(scope_q(actor.scope), pk=outlet_id).first()  # type: ignore[union-attr]
    if outlet is None:
        raise NotFoundError(f"outlet {outlet_id} not found", code="outlet_not_found")
    point = BillOutlet.objects.filter(outlet=outlet, is_active=True).select_related("outlet").first()
    if point is None:
        raise InvalidStateError(f"{outlet.code} does not take bill payments", code="billpay_not_offered")
    return point


def bill_lookup(*, actor: AnyActor, biller: str, account: str) -> tuple[Biller, BillDue]:
    """What an account owes, as its biller says now (staff at a counter, or a member paying
    online: the holder's name is masked either way)."""
    if not isinstance(actor, MemberActor):
        actor.require(Perm.BILL_PAY)
    b = biller_get(biller)
    return b, b.lookup(domain.account_normalize(account, b.account_format))


def payment_get(*, actor: AnyActor, number: str) -> BillPayment:
    actor.require(Perm.BILL_PAY)
    payment = (
        BillPayment.objects.filter(scope_q(actor.scope, via="outlet"), number=number[:20])  # type: ignore[union-attr]
        .select_related("outlet")
        .first()
    )
    if payment is None:
        raise NotFoundError(f"bill payment {number[:20]} not found", code="payment_not_found")
    return payment


def payments_list(*, actor: AnyActor, outlet_id: int) -> QuerySet[BillPayment]:
    point = point_get(actor=actor, outlet_id=outlet_id)
    actor.require(Perm.BILL_PAY)
    return BillPayment.objects.filter(outlet_id=point.outlet_id).select_related("outlet")


def member_bills(*, actor: MemberActor) -> QuerySet[BillPayment]:
    """A member's own bill payments, wherever they paid (a corner shop's counter included)."""
    return (
        BillPayment.objects.filter(member_id=actor.member_id).select_related("outlet").order_by("-created_at")
    )


def member_bill_get(*, actor: MemberActor, number: str) -> BillPayment:
    """One of the member's own bill payments by its number; anyone else's does not exist."""
    payment = member_bills(actor=actor).filter(number=number[:20]).first()
    if payment is None:
        raise NotFoundError(f"bill payment {number[:20]} not found", code="payment_not_found")
    return payment


@dataclass(frozen=True)
class SavedAccount:
    biller: str
    kind: str
    account: str
    masked_name: str
    last_paid: BillPayment


def member_accounts(*, actor: MemberActor) -> list[SavedAccount]:
    """The accounts a member has paid, each with its latest payment: their saved accounts."""
    seen: dict[tuple[str, str], SavedAccount] = {}
    for p in member_bills(actor=actor).exclude(state=PayState.REVERSED)[:200]:
        seen.setdefault((p.biller, p.account), SavedAccount(p.biller, p.kind, p.account, p.masked_name, p))
    return list(seen.values())


def _month_range(month: str) -> tuple[datetime, datetime]:
    year, mon = int(month[:4]), int(month[5:7])
    start = date(year, mon, 1)
    end = date(year + (mon == 12), mon % 12 + 1, 1)
    aware = lambda d: timezone.make_aware(datetime.combine(d, time.min))  # noqa: E731
    return aware(start), aware(end)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The (local) month ``YYYY-MM`` as a half-open range of aware times."""
    if (
        len(month) != 7
        or month[4] != "-"
        or not (month[:4] + month[5:]).isdigit()
        or not 1 <= int(month[5:]) <= 12
    ):
        raise ValidationError("a month is YYYY-MM", code="invalid_month")
    return _month_range(month)


def stars_of(*, outlet_ids: list[int]) -> dict[int, int]:
    """Each outlet's stars of the latest month rated."""
    latest: dict[int, int] = {}
    for r in AgentRating.objects.filter(outlet_id__in=outlet_ids).order_by("outlet_id", "-month"):
        latest.setdefault(r.outlet_id, r.stars)
    return latest


def month_paid(*, outlet_id: int, when: datetime, before_id: int) -> tuple[int, int]:
    """How many bills, and how much, the outlet took in the (local) month of ``when``, not
    counting the payment ``before_id``."""
    start, end = _month_range(domain.month_of(timezone.localtime(when).date()))
    got = (
        BillPayment.objects.filter(
            outlet_id=outlet_id, state=PayState.PAID, paid_at__gte=start, paid_at__lt=end
        )
        .exclude(pk=before_id)
        .aggregate(n=Count("pk"), s=Sum("amount"))
    )
    return got["n"] or 0, got["s"] or 0


def month_amounts(*, outlet_id: int, month: str) -> tuple[list[int], int]:
    """A month's paid bills at the outlet (their amounts) and the rebate they accrued."""
    start, end = _month_range(month)
    rows = BillPayment.objects.filter(
        outlet_id=outlet_id, state=PayState.PAID, paid_at__gte=start, paid_at__lt=end
    ).values_list("amount", "rebate")
    amounts = [a for a, _ in rows]
    return amounts, sum(r for _, r in rows)


@dataclass(frozen=True)
class AgentDay:
    point: BillOutlet
    float_available: int
    today_count: int
    today_amount: int
    month_count: int
    month_amount: int
    rebate_month: int  # accrued on this month's bills so far
    rebate_balance: int  # everything on the agent's rebate account
    progress: TierProgress
    schedule: RebateSchedule
    stars: int | None


def agent_day(*, actor: AnyActor, outlet_id: int) -> AgentDay:
    """An agent's float, today's takings, this month's rebate and how far the next tier is."""
    point = point_get(actor=actor, outlet_id=outlet_id)
    if point.mode != PayMode.AGENT_FLOAT:
        raise InvalidStateError("only an agent outlet holds a float", code="not_an_agent")
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    paid = BillPayment.objects.filter(outlet_id=outlet_id, state=PayState.PAID)
    day = paid.filter(paid_at__gte=start, paid_at__lt=start + timedelta(days=1)).aggregate(
        n=Count("pk"), s=Sum("amount")
    )
    m_start, m_end = _month_range(domain.month_of(today))
    month = paid.filter(paid_at__gte=m_start, paid_at__lt=m_end).aggregate(
        n=Count("pk"), s=Sum("amount"), r=Sum("rebate")
    )
    schedule = RebateSchedule.from_json(point.rebate_schedule)
    count, amount = month["n"] or 0, month["s"] or 0
    return AgentDay(
        point=point,
        float_available=balance(kind=AccountKind.AGENT_FLOAT, owner_id=outlet_id),
        today_count=day["n"] or 0,
        today_amount=day["s"] or 0,
        month_count=count,
        month_amount=amount,
        rebate_month=month["r"] or 0,
        rebate_balance=balance(kind=AccountKind.AGENT_REBATE, owner_id=outlet_id),
        progress=domain.tier_progress(schedule, count=count, amount=amount),
        schedule=schedule,
        stars=stars_of(outlet_ids=[outlet_id]).get(outlet_id),
    )


@dataclass(frozen=True)
class AgentRow:
    point: BillOutlet
    float_available: int
    month_count: int
    month_amount: int
    rebate_month: int
    stars: int | None


def agents_ranking(*, actor: AnyActor, limit: int = 100) -> list[AgentRow]:
    """The agent outlets in scope, by this month's volume (amount, then count): HQ's ranking."""
    actor.require(Perm.NETWORK_VIEW)
    points = {
        p.outlet_id: p
        for p in BillOutlet.objects.filter(scope_q(actor.scope, via="outlet"), mode=PayMode.AGENT_FLOAT)  # type: ignore[union-attr]
        .select_related("outlet")
        .order_by("outlet__code")[:500]
    }
    start, end = _month_range(domain.month_of(timezone.localdate()))
    volume = {
        row["outlet_id"]: row
        for row in BillPayment.objects.filter(
            outlet_id__in=list(points), state=PayState.PAID, paid_at__gte=start, paid_at__lt=end
        )
        .values("outlet_id")
        .annotate(n=Count("pk"), s=Sum("amount"), r=Sum("rebate"))
    }
    stars = stars_of(outlet_ids=list(points))
    rows = [
        AgentRow(
            point=p,
            float_available=balance(kind=AccountKind.AGENT_FLOAT, owner_id=oid),
            month_count=volume.get(oid, {}).get("n") or 0,
            month_amount=volume.get(oid, {}).get("s") or 0,
            rebate_month=volume.get(oid, {}).get("r") or 0,
            stars=stars.get(oid),
        )
        for oid, p in points.items()
    ]
    rows.sort(key=lambda r: (-r.month_amount, -r.month_count, r.point.outlet.code))
    return rows[:limit]


def outlets_to_enrol(*, actor: AnyActor) -> QuerySet[Outlet]:
    """The active outlets in scope that take no bills yet."""
    return (
        Outlet.objects.filter(scope_q(actor.scope), is_active=True)  # type: ignore[union-attr]
        .exclude(billpay__isnull=False)
        .order_by("code")
    )


@dataclass(frozen=True)
class NearOutlet:
    point: BillOutlet
    distance_km: float
    stars: int | None  # the latest month rated; None before the first month end


def bill_outlets_near(
    *, lat: float, lng: float, radius_km: float = 30.0, limit: int = 20
) -> list[NearOutlet]:
    """The outlets taking bill payments near a point, nearest first, with their stars (星级):
    what the storefront shows anyone."""
    south, north, west, east = bounding_box(lat, lng, radius_km)
    points = list(
        BillOutlet.objects.filter(
            is_active=True, outlet__is_active=True, outlet__lat__range=(south, north),
            outlet__lng__range=(west, east),
        ).select_related("outlet")[:500]
    )  # fmt: skip
    stars = stars_of(outlet_ids=[p.outlet_id for p in points])
    near = [
        NearOutlet(p, haversine_km(lat, lng, p.outlet.lat, p.outlet.lng), stars.get(p.outlet_id))
        for p in points
    ]
    near = [n for n in near if n.distance_km <= radius_km]
    near.sort(key=lambda n: (n.distance_km, n.point.outlet.code))
    return near[:limit]


def statement_differences(*, actor: AnyActor, biller: str, day: date) -> list[domain.Difference]:
    """Our bills paid with ``biller`` on the (local) ``day`` against its daily statement file:
    what either side is missing and amounts that differ (finance at HQ reconciles the billers)."""
    actor.require(Perm.NETWORK_VIEW)
    if not actor.scope.is_hq:  # type: ignore[union-attr]
        raise PermissionDeniedError("billers are reconciled at HQ", code="forbidden")
    b = biller_get(biller)
    start = timezone.make_aware(datetime.combine(day, time.min))
    ours = [
        domain.BookedBill(number, bill_ref, amount)
        for number, bill_ref, amount in BillPayment.objects.filter(
            biller=b.code, state=PayState.PAID, paid_at__gte=start, paid_at__lt=start + timedelta(days=1)
        ).values_list("number", "bill_ref", "amount")
    ]
    theirs = [
        domain.BookedBill(x.merchant_ref, x.bill_ref, x.amount)
        for x in b.statement_lines(b.statement(day=day))
    ]
    return domain.statement_match(ours, theirs)
