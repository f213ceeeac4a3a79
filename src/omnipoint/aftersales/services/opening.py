"""Opening tickets: an installation ticket per order line that needs one when the order's goods
are delivered or collected (the platform, told by orders), and an after-sales ticket (repair,
exchange, complaint) a customer opens from their own order, or a clerk from one in their scope."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from omnipoint.aftersales import domain
from omnipoint.aftersales.domain import AFTER_SALES_KINDS, LineForTickets, TicketKind
from omnipoint.aftersales.models import Ticket, TicketEvent
from omnipoint.aftersales.services._common import _new_code
from omnipoint.catalog.domain import ProductKind
from omnipoint.core.errors import NotFoundError, ValidationError
from omnipoint.orders.hooks import GoodsHandedOver
from omnipoint.orders.models import Order, OrderLine, OrderState
from omnipoint.orders.selectors import order_list
from omnipoint.outlets.domain import AnyActor, MemberActor, Perm, StaffActor, require_platform

NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _number() -> str:
    return "AS" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(10))


def _servicing_outlet_id(order: Order) -> int:
    """Who answers for an order's tickets: where it was keyed, else picked up, else shipped from."""
    if order.origin_outlet_id:
        return order.origin_outlet_id
    if order.pickup_outlet_id:
        return order.pickup_outlet_id
    return order.lines.order_by("pk").values_list("location_id", flat=True).first()  # type: ignore[return-value]


def _create(
    order: Order, *, kind: str, outlet_id: int, channel: str, user_id: int | None,
    line: OrderLine | None = None, description: str = "",
) -> Ticket:  # fmt: skip
    now = timezone.now()
    due = domain.deadlines(kind, now)
    ticket = Ticket.objects.create(
        number=_number(), kind=kind, order=order, order_line=line, outlet_id=outlet_id,
        member_id=order.member_id, customer_name=order.customer_name, customer_mobile=order.customer_mobile,
        address=order.address, description=description, confirmation_code=_new_code(), channel=channel,
        opened_by_id=user_id, opened_at=now, respond_by=due.respond_by, complete_by=due.complete_by,
        changed_at=now,
    )  # fmt: skip
    TicketEvent.objects.create(ticket=ticket, step="open", to_state=ticket.state, actor_id=user_id, at=now)
    return ticket


def tickets_open_for_goods(*, actor: StaffActor, handed_over: GoodsHandedOver) -> list[Ticket]:
    """An order's goods reached the customer (delivered, collected, sold at the counter, or it
    had none and was paid): a ticket for each line that needs people to go and do it
    (``domain.tickets_for_lines``). Only the platform (orders announcing it, in the completing
    transaction); a line that has its ticket already keeps it."""
    require_platform(actor)
    lines = [
        LineForTickets(
            line_id=ln.line_id, needs_ticket=ln.needs_ticket, is_goods=ln.kind == ProductKind.GOODS
        )
        for ln in handed_over.lines
    ]
    wanted = domain.tickets_for_lines(lines)
    if not wanted:
        return []
    order = Order.objects.get(pk=handed_over.order_id)
    have = set(
        Ticket.objects.filter(order_line__in=[w[0] for w in wanted], channel="system").values_list(
            "order_line_id", flat=True
        )
    )
    first = next(ln.location_id for ln in handed_over.lines if ln.needs_ticket)
    outlet_id = handed_over.outlet_id or first
    by_id = {ln.pk: ln for ln in order.lines.filter(pk__in=[w[0] for w in wanted])}
    return [
        _create(order, kind=kind, outlet_id=outlet_id, channel="system", user_id=None, line=by_id[line_id])
        for line_id, kind in wanted
        if line_id not in have
    ]


def _order_for(actor: AnyActor, order_id: int) -> Order:
    """The customer's own order, or one in the clerk's scope; anything else does not exist."""
    if isinstance(actor, MemberActor):
        order = Order.objects.filter(pk=order_id, member_id=actor.member_id).first()
    else:
        actor.require(Perm.TICKET_DESK)
        order = order_list(actor=actor).filter(pk=order_id).first()
    if order is None:
        raise NotFoundError(f"order {order_id} not found", code="order_not_found")
    return order


def _check_request(order: Order, kind: str, description: str, line_id: int | None) -> OrderLine | None:
    if kind not in AFTER_SALES_KINDS:
        raise ValidationError("a ticket is a repair, an exchange or a complaint", code="invalid_kind")
    text = (description or "").strip()
    if not text or len(text) > domain.DESCRIPTION_MAX:
        raise ValidationError(
            f"say what is wrong (up to {domain.DESCRIPTION_MAX} characters)", code="description_required"
        )
    if kind != TicketKind.COMPLAINT and order.state != OrderState.COMPLETED:
        raise ValidationError(
            "a repair or an exchange is for goods the customer has", code="order_not_completed",
            state=order.state,
        )  # fmt: skip
    if line_id is None:
        return None
    line = order.lines.filter(pk=line_id).first()
    if line is None:
        raise NotFoundError(f"line {line_id} is not on this order", code="line_not_found")
    return line


def ticket_open(
    *, actor: AnyActor, order_id: int, kind: str, description: str, line_id: int | None = None,
    channel: str = "web",
) -> Ticket:  # fmt: skip
    """A customer (their own order) or a clerk (``ticket.desk``, an order in scope) opens a
    repair, exchange or complaint ticket. A clerk's ticket is answered at their outlet when they
    hold one; otherwise where the order was keyed, picked up or shipped from."""
    order = _order_for(actor, order_id)
    line = _check_request(order, kind, description, line_id)
    outlet_id = _servicing_outlet_id(order)
    if not isinstance(actor, MemberActor):
        outlet_id = actor.scope.outlet_id or outlet_id
        channel = channel if channel in ("console", "api") else "console"
    else:
        channel = "web"
    for _attempt in range(3):  # a clash of random numbers is retried
        try:
            with transaction.atomic():
                return _create(order, kind=kind, outlet_id=outlet_id, channel=channel, user_id=actor.user_id,
                               line=line, description=description.strip())  # fmt: skip
        except IntegrityError:
            continue
    raise ValidationError("try again", code="number_clash")
