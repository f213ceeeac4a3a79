"""Reads of parcels: the rate table in force, a parcel as staff see it (accepted or held in
their scope), the online tracking anyone may read (names and mobile masked), a member's
parcels, sent or to receive, by their mobile, and the takings the books count."""

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.urls import reverse

from omnipoint.core.channels import Channel
from omnipoint.core.errors import InvalidStateError, NotFoundError
from omnipoint.ledger.selectors import postings_written
from omnipoint.members.domain import mask_mobile
from omnipoint.members.models import Member
from omnipoint.outlets.domain import MemberActor, Perm, StaffActor
from omnipoint.outlets.selectors import scope_q
from omnipoint.parcels import domain
from omnipoint.parcels.models import Parcel, ParcelEvent, RateTable

REF = "parcel:"  # the reference of a parcel's postings: parcel:<number>
PAY_CODE, VOID_CODE = "parcel_pay", "parcel_void"  # their purposes: money taken, given back


def rate_table_get(*, network: str) -> domain.RateTable:
    row = RateTable.objects.filter(network=network).first()
    return domain.RateTable.from_json(row.table) if row else domain.DEFAULT_TABLE


def rate_table_for(*, actor: StaffActor) -> domain.RateTable:
    """The rate table every counter prices by, for staff who accept parcels."""
    actor.require(Perm.PARCEL)
    return rate_table_get(network=settings.PARCEL_NETWORK)


def _staff_q(actor: StaffActor) -> Q:
    return scope_q(actor.scope, via="origin") | scope_q(actor.scope, via="hold_outlet")


def parcels_list(*, actor: StaffActor, outlet_id: int | None = None, state: str = "") -> QuerySet[Parcel]:
    """Parcels accepted at or held at outlets in the actor's scope, newest first."""
    actor.require(Perm.PARCEL)
    qs = Parcel.objects.filter(_staff_q(actor)).select_related("origin", "hold_outlet", "recipient_region")
    if outlet_id:
        qs = qs.filter(Q(origin_id=outlet_id) | Q(hold_outlet_id=outlet_id))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def parcel_get(*, actor: StaffActor, number: str) -> Parcel:
    """A parcel by its number (checked), when staff may see it; anything else is not found."""
    actor.require(Perm.PARCEL)
    number = domain.s10_normalise(number)
    parcel = (
        Parcel.objects.filter(_staff_q(actor), number=number)
        .select_related("origin", "hold_outlet", "sender_region", "recipient_region")
        .first()
    )
    if parcel is None:
        raise NotFoundError(f"parcel {number} not found", code="parcel_not_found")
    return parcel


def parcel_for_label(*, actor: StaffActor, number: str) -> Parcel:
    """A parcel staff may see, paid (a label prints only then: 409 ``parcel_unpaid``)."""
    parcel = parcel_get(actor=actor, number=number)
    if parcel.paid_at is None:
        raise InvalidStateError("the parcel is not paid yet", code="parcel_unpaid")
    return parcel


def pay_url(parcel: Parcel) -> str:
    """The gateway's hosted page of the parcel's open QR charge ("" when there is none)."""
    if not parcel.charge_ref or parcel.paid_at is not None or parcel.voided_at is not None:
        return ""
    return (
        reverse("payments:sandbox_pay", kwargs={"ref": parcel.charge_ref}) if settings.SANDBOX_GATEWAY else ""
    )


def takings(*, start: datetime, end: datetime, tz: tzinfo) -> list[dict[str, Any]]:
    """Parcel takings as the ledger has them, for the books: the postings that took a parcel's
    money (to postage earned) and gave it back, ``start`` <= written < ``end``, by local day
    (``tz``) x the outlet that accepted the parcel x payment method (``domain.BOOKS_METHOD``),
    all at the counter (channel ``pos``): ``n_paid`` / ``paid`` and ``n_refunded`` /
    ``refunded`` in fen."""
    parcel = Parcel.objects.filter(number=Substr(OuterRef("reference"), len(REF) + 1))
    paid, back = Q(code=PAY_CODE), Q(code=VOID_CODE)
    rows = (
        postings_written(codes=[PAY_CODE, VOID_CODE], start=start, end=end)
        .filter(reference__startswith=REF)
        .annotate(
            day=TruncDate("created_at", tzinfo=tz),
            outlet=Subquery(parcel.values("origin_id")[:1]),
            pay_method=Subquery(parcel.values("pay_method")[:1]),
        )
        .values("day", "outlet", "pay_method")
        .annotate(
            n_paid=Count("pk", filter=paid),
            paid=Coalesce(Sum("amount", filter=paid), 0),
            n_refunded=Count("pk", filter=back),
            refunded=Coalesce(Sum("amount", filter=back), 0),
        )
        .order_by()
    )
    return [
        {**r, "channel": Channel.POS.value, "method": domain.BOOKS_METHOD[domain.PayMethod(r["pay_method"])]}
        for r in rows
    ]


def timeline(parcel: Parcel) -> list[ParcelEvent]:
    """Every event, by when it happened (a late webhook takes its place, not the end)."""
    return list(parcel.events.select_related("outlet").order_by("occurred_at", "pk"))


@dataclass(frozen=True)
class Tracking:
    parcel: Parcel
    events: list[ParcelEvent]
    mine: bool  # the signed-in member sent it or receives it: nothing masked
    is_recipient: bool

    @property
    def recipient_name(self) -> str:
        return self.parcel.recipient_name if self.mine else domain.mask_name(self.parcel.recipient_name)

    @property
    def sender_name(self) -> str:
        return self.parcel.sender_name if self.mine else domain.mask_name(self.parcel.sender_name)

    @property
    def recipient_mobile(self) -> str:
        return self.parcel.recipient_mobile if self.mine else mask_mobile(self.parcel.recipient_mobile)

    @property
    def pickup_code(self) -> str:
        """Only the recipient, signed in, reads the code on the page (everyone else has the text)."""
        ok = self.is_recipient and self.parcel.state == domain.ParcelState.ARRIVED
        return self.parcel.pickup_code if ok else ""

    def as_json(self) -> dict[str, Any]:
        p = self.parcel
        return {
            "number": p.number, "service": p.service, "state": p.state,
            "sender_name": self.sender_name, "recipient_name": self.recipient_name,
            "recipient_mobile": self.recipient_mobile,
            "origin": p.origin.name, "destination": p.recipient_region.name,
            "held_at": p.hold_outlet.name if p.hold_outlet and p.state == domain.ParcelState.ARRIVED else None,
            "pickup_code": self.pickup_code or None,
            "events": [
                {"kind": e.kind, "occurred_at": e.occurred_at, "place": e.outlet.name if e.outlet else e.place}
                for e in self.events
            ],
        }  # fmt: skip


def _member_mobile(actor: MemberActor | None) -> str:
    if actor is None:
        return ""
    return str(Member.objects.filter(pk=actor.member_id).values_list("mobile", flat=True).first() or "")


def track(*, actor: MemberActor | None, number: str) -> Tracking:
    """Anyone, by the number: where the parcel is, names and the recipient's mobile masked. The
    member who sent it or receives it (by their mobile) sees it whole."""
    number = domain.s10_normalise(number)
    parcel = (
        Parcel.objects.filter(number=number, paid_at__isnull=False)
        .select_related("origin", "hold_outlet", "recipient_region")
        .first()
    )
    if parcel is None:
        raise NotFoundError(f"parcel {number} not found", code="parcel_not_found")
    mobile = _member_mobile(actor)
    mine = bool(mobile) and mobile in (parcel.sender_mobile, parcel.recipient_mobile)
    return Tracking(parcel, timeline(parcel), mine, bool(mobile) and mobile == parcel.recipient_mobile)


def member_parcels(*, actor: MemberActor) -> QuerySet[Parcel]:
    """The parcels a member sent or is to receive (by their mobile), paid ones, newest first."""
    mobile = _member_mobile(actor)
    return (
        Parcel.objects.filter(Q(sender_mobile=mobile) | Q(recipient_mobile=mobile), paid_at__isnull=False)
        .select_related("origin", "hold_outlet", "recipient_region")
        .order_by("-created_at", "-pk")
    )
