from django.db.models import QuerySet, Sum

from omnipoint.payments.domain import Method, PaymentState
from omnipoint.payments.models import OrderBalance, Payment


def payment_list(*, order_id: int) -> QuerySet[Payment]:
    """The tenders of one order, oldest first, with their refunds. Orders sit above payments:
    the caller has found the order in the actor's scope (``orders.selectors.order_get``)."""
    return Payment.objects.filter(order_id=order_id).prefetch_related("refunds").order_by("pk")


def order_paid_amount(*, order_id: int) -> int:
    """What the order's counted tenders paid, before refunds (0 if nothing yet)."""
    return OrderBalance.objects.filter(pk=order_id).values_list("paid", flat=True).first() or 0


def order_refunded_amount(*, order_id: int) -> int:
    """What went back of the order's counted tenders (0 if nothing)."""
    return OrderBalance.objects.filter(pk=order_id).values_list("refunded", flat=True).first() or 0


def orders_paid_amounts(*, order_ids: list[int]) -> dict[int, int]:
    """What each of these orders' counted tenders paid, before refunds (absent: nothing yet)."""
    return dict(OrderBalance.objects.filter(pk__in=order_ids).values_list("pk", "paid"))


def order_tendered(*, order_id: int, method: str) -> int:
    """What the order's tenders by ``method`` came to (failed and cancelled ones aside)."""
    return (
        Payment.objects.filter(order_id=order_id, method=method)
        .exclude(state__in=[PaymentState.FAILED, PaymentState.CANCELLED])
        .aggregate(s=Sum("amount"))["s"]
        or 0
    )


def payment_list_returned(*, order_ids: list[int]) -> QuerySet[Payment]:
    """Money that arrived for these orders when they no longer took any (already paid in full,
    or cancelled) and went straight back: succeeded, never counted, refunded."""
    return Payment.objects.filter(
        order_id__in=order_ids, state=PaymentState.SUCCEEDED, counted=False, refunded_amount__gt=0
    ).order_by("pk")


def payment_order_ids_open_online(*, order_ids: list[int]) -> set[int]:
    """Those of the orders with an online payment still waiting at the gateway."""
    return set(
        Payment.objects.filter(
            order_id__in=order_ids, method=Method.ONLINE, state=PaymentState.PENDING
        ).values_list("order_id", flat=True)
    )
