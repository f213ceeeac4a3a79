"""Writes of the agents' standing: a complaint about a bill payment, and the monthly stars
(星级) of every bill-taking outlet, recomputed from its bills and complaints."""

from django.db import transaction

from omnipoint.billpay import domain
from omnipoint.billpay.domain import PayState
from omnipoint.billpay.models import AgentRating, BillComplaint, BillOutlet, BillPayment
from omnipoint.billpay.selectors import month_bounds, payment_get
from omnipoint.core.errors import InvalidStateError, ValidationError
from omnipoint.outlets.domain import StaffActor, SystemActor


@transaction.atomic
def complaint_record(*, actor: StaffActor, number: str, reason: str) -> BillComplaint:
    """A customer complains about a bill payment at an outlet in the actor's scope."""
    payment = payment_get(actor=actor, number=number)
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 200:
        raise ValidationError("say in 1..200 characters what went wrong", code="invalid_reason")
    if payment.outlet_id is None:
        raise InvalidStateError("this bill was paid online, at no outlet", code="no_outlet")
    return BillComplaint.objects.create(
        payment=payment, outlet_id=payment.outlet_id, reason=reason, recorded_by_id=actor.staff_id
    )


def ratings_recompute(*, actor: SystemActor, month: str) -> dict[int, int]:
    """Every bill-taking outlet's stars for ``month`` (YYYY-MM) from its bills and complaints;
    run again, it rewrites the month. Returns the stars by outlet."""
    start, end = month_bounds(month)
    stars: dict[int, int] = {}
    for point in BillOutlet.objects.order_by("outlet_id"):
        bills = BillPayment.objects.filter(
            outlet_id=point.outlet_id, state=PayState.PAID, paid_at__gte=start, paid_at__lt=end
        ).count()
        complaints = BillComplaint.objects.filter(
            outlet_id=point.outlet_id, created_at__gte=start, created_at__lt=end
        ).count()
        stars[point.outlet_id] = domain.star_rating(bills=bills, complaints=complaints)
        AgentRating.objects.update_or_create(
            outlet_id=point.outlet_id,
            month=month,
            defaults={"stars": stars[point.outlet_id], "bills": bills, "complaints": complaints},
        )
    return stars
