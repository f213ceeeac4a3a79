from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from ninja import Query, Router, Schema

from omnipoint.core.api import ERRORS, MAX_ID, Id
from omnipoint.core.channels import Channel
from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.members.schemas import ActivityOut, OrderRowOut
from omnipoint.members.selectors import actor_for_user, member_for_user, posting_movement
from omnipoint.orders import domain, selectors, services
from omnipoint.orders.models import OrderLine
from omnipoint.orders.schemas import (
    CancelIn,
    HandOverIn,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    ReturnIn,
    ReturnOut,
    TaskOut,
    TrackedOrderOut,
)
from omnipoint.outlets.domain import Actor
from omnipoint.outlets.selectors import actor_get
from omnipoint.payments import selectors as payment_selectors
from omnipoint.payments.schemas import PaymentFilter, PaymentOut
from omnipoint.showrooms.api import outlet_out
from omnipoint.showrooms.schemas import SalesOut, SalespersonRow
from omnipoint.showrooms.selectors import showroom_get

router = Router(tags=["orders"])
member_router = Router(tags=["members"])  # a member's orders, under /members
# The payments routes that need the order's scope (orders sit above payments), under /payments
payments_router = Router(tags=["payments"])
# A salesperson's orders and commission, under /showrooms (mounted before showrooms' own router,
# whose "/{code}" would take "/commissions")
showrooms_router = Router(tags=["showrooms"])


def actor(request: HttpRequest) -> Actor:
    return actor_get(user=request.user)


@router.post("/orders", response={201: OrderOut, **ERRORS})
def order_place(request: HttpRequest, payload: OrderIn):  # type: ignore[no-untyped-def]
    """Check out. Send an `Idempotency-Key` header: a retry returns the first order."""
    data = payload.dict()
    lines = [services.LineRequest(**ln) for ln in data.pop("lines")]
    code = data.pop("showroom_code")
    if code:
        data["salesperson_id"] = _showroom_salesperson(
            code, channel=payload.channel, named=payload.salesperson_id
        )
    who = actor_for_user(user=request.user, as_staff=payload.channel in domain.STAFF_CHANNELS)
    order = services.order_place(actor=who, lines=lines, **data)
    # order_place keeps the lines it wrote on the order (no query); read only if it could not
    prefetch_related_objects([order], Prefetch("lines", OrderLine.objects.select_related("sku__product")))
    return 201, order


def _showroom_salesperson(code: str, *, channel: str, named: int | None) -> int:
    """The salesperson a public showroom code stands for (clients see the code, not staff ids)."""
    if channel != Channel.SHOWROOM:
        raise ValidationError("a showroom code goes with channel showroom", code="invalid_channel")
    staff_id = showroom_get(code=code).staff_id
    if named is not None and named != staff_id:
        raise ValidationError(
            "salesperson_id is not this showroom's salesperson", code="salesperson_mismatch"
        )
    return staff_id


class OrderFilter(Schema):
    state: str = ""
    channel: str = ""
    search: str = ""
    limit: int = 50
    offset: int = 0


@router.get("/orders", response={200: list[OrderOut], **ERRORS})
def order_list(request: HttpRequest, f: Query[OrderFilter]):  # type: ignore[no-untyped-def]
    """Orders touching the caller's scope (keyed, picked up or fulfilled there)."""
    qs = selectors.order_list(actor=actor(request), state=f.state, channel=f.channel, search=f.search)
    offset = min(max(0, f.offset), MAX_ID)  # the databases refuse an OFFSET past 64 bits
    return list(qs.prefetch_related("lines__sku__product")[offset : offset + max(1, min(f.limit, 200))])


class TrackQuery(Schema):
    number: str
    mobile: str


@router.get("/orders/track", auth=None, response={200: TrackedOrderOut, **ERRORS})
def order_track(request: HttpRequest, q: Query[TrackQuery]):  # type: ignore[no-untyped-def]
    """Order tracking for the customer: the order number and the mobile it was placed with."""
    return selectors.order_get_for_customer(number=q.number, mobile=q.mobile)


@router.get("/orders/{order_id}", response={200: OrderDetailOut, **ERRORS})
def order_get(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    return selectors.order_get(actor=actor(request), order_id=order_id)


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **ERRORS})
def order_cancel(request: HttpRequest, order_id: int, payload: CancelIn):  # type: ignore[no-untyped-def]
    return services.order_cancel(actor=actor(request), order_id=order_id, reason=payload.reason)


@router.post("/orders/{order_id}/deliver", response={200: OrderOut, **ERRORS})
def order_deliver(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    return services.order_deliver(actor=actor(request), order_id=order_id)


@router.post("/orders/{order_id}/returns", response={201: ReturnOut, **ERRORS})
def order_return(request: HttpRequest, order_id: int, payload: ReturnIn):  # type: ignore[no-untyped-def]
    """Return goods at any outlet in the caller's scope. Send an `Idempotency-Key` header."""
    return 201, services.order_return(
        actor=actor(request),
        order_id=order_id,
        outlet_id=payload.outlet_id,
        lines=[(ln.sku_id, ln.quantity) for ln in payload.lines],
        reason=payload.reason,
    )


class TaskFilter(Schema):
    location_id: int | None = None
    open_only: bool = True


@router.get("/tasks", response={200: list[TaskOut], **ERRORS})
def task_queue(request: HttpRequest, f: Query[TaskFilter]):  # type: ignore[no-untyped-def]
    """The outlet work queue (pick tasks), oldest first."""
    return list(
        selectors.task_queue(actor=actor(request), location_id=f.location_id, open_only=f.open_only)[:200]
    )


@router.post("/tasks/{task_id}/{step}", response={200: TaskOut, **ERRORS})
def task_advance(request: HttpRequest, task_id: int, step: str):  # type: ignore[no-untyped-def]
    """Steps: claim, picked, packed, ready (pickup tasks), handed_over (ship and transfer tasks)."""
    if step not in services.TASK_FLOW:
        raise NotFoundError(f"unknown step {step}", code="invalid_step")
    return services.task_advance(actor=actor(request), task_id=task_id, step=step)


@router.post("/pickups", response={200: OrderOut, **ERRORS, 429: ERRORS[409]})
def order_hand_over(request: HttpRequest, payload: HandOverIn):  # type: ignore[no-untyped-def]
    """Hand a pickup order over against its code, at the outlet it waits at. Send an `Idempotency-Key`."""
    return services.order_hand_over(
        actor=actor(request),
        outlet_id=payload.outlet_id,
        code=payload.code,
        order_number=payload.order_number,
    )


@member_router.get("/me/orders", response={200: list[OrderRowOut], **ERRORS})
def my_orders(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Every order of the member, online and at the counter, newest first."""
    member = member_for_user(user=request.user)
    return list(selectors.member_orders(member=member)[:100])


@member_router.get("/{member_id}/activity", response={200: ActivityOut, **ERRORS})
def activity(request: HttpRequest, member_id: int):  # type: ignore[no-untyped-def]
    """Region managers and HQ: a member's orders in their region, balances and movements."""
    if not 1 <= member_id <= MAX_ID:
        raise NotFoundError("member not found", code="member_not_found")
    act = selectors.member_activity(actor=actor_get(user=request.user), member_id=member_id)
    return {
        "id": act.member.pk,
        "name": act.member.name,
        "mobile_masked": act.mobile_masked,
        "tier": act.tier,
        "points": act.points,
        "wallet": act.wallet,
        "orders": act.orders,
        "movements": [posting_movement(p, act.member) for p in act.postings],
    }


@payments_router.get("", response={200: list[PaymentOut], **ERRORS})
def payment_list(request: HttpRequest, f: Query[PaymentFilter]):  # type: ignore[no-untyped-def]
    """The tenders of an order in the caller's scope, with their refunds."""
    selectors.order_get(actor=actor(request), order_id=f.order_id)
    return list(payment_selectors.payment_list(order_id=f.order_id))


def _sales(s: selectors.Sales) -> dict[str, object]:
    return {
        "staff_id": s.staff.pk,
        "display_name": s.staff.display_name,
        "outlet": outlet_out(s.staff.outlet),
        "accrued": s.accrued,
        "reversed": s.reversed,
        "net": s.net,
        "ledger_balance": s.balance,
        "orders": [
            {
                "number": x.order.number,
                "state": x.order.state,
                "channel": x.order.channel,
                "method": x.order.method,
                "total": x.order.total,
                "created_at": x.order.created_at,
                "completed_at": x.order.completed_at,
                "commission_accrued": x.accrued,
                "commission_reversed": x.reversed,
            }
            for x in s.sales
        ],
    }


@showrooms_router.get("/me/sales", response={200: SalesOut, **ERRORS})
def sales_mine(request: HttpRequest):  # type: ignore[no-untyped-def]
    """A salesperson's own orders (those credited to them) and commission."""
    return _sales(selectors.sales_mine(actor=actor(request)))


class CommissionFilter(Schema):
    staff_id: Id | None = None


@showrooms_router.get("/commissions", response={200: list[SalespersonRow] | SalesOut, **ERRORS})
def commissions(request: HttpRequest, f: Query[CommissionFilter]):  # type: ignore[no-untyped-def]
    """Managers: the salespeople in their scope with their figures, or one of them in detail."""
    a = actor(request)
    if f.staff_id is not None:
        return _sales(selectors.salesperson_sales(actor=a, staff_id=f.staff_id))
    return [
        {
            "staff_id": r["staff"].pk,  # type: ignore[attr-defined]
            "display_name": r["staff"].display_name,  # type: ignore[attr-defined]
            "outlet": outlet_out(r["staff"].outlet),  # type: ignore[attr-defined]
            "orders": r["orders"],
            "accrued": r["accrued"],
            "reversed": r["reversed"],
            "net": r["net"],
        }
        for r in selectors.salesperson_list(actor=a)
    ]
