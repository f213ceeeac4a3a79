"""Materials sent ahead (线上提交材料, 网点核验): a member uploads a file for an item of their
own booking's checklist before the visit; at check-in or at the counter the clerk accepts or
rejects each item, with the reason the member reads.

An upload is never edited: sending an item again inserts its next version, numbered by the
unique (booking, item, version) and retried on a clash, so two uploads never share a number. A
review is appended, never changed, and names the upload the clerk saw: a review of a version that
a newer upload replaced meanwhile is refused (409 ``upload_superseded``), so nobody accepts a
file they did not look at. The booking's ``materials_checked`` (the codes accepted) follows the
latest reviews in the same transaction.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from omnipoint.appointments import domain, selectors
from omnipoint.appointments.domain import MaterialDecision, MaterialStatus
from omnipoint.appointments.models import Booking, MaterialReview, MaterialUpload
from omnipoint.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from omnipoint.outlets.domain import AnyActor, MemberActor, Perm

VERSION_TRIES = 5


def _open_for_materials(booking: Booking) -> None:
    if booking.state not in domain.MATERIAL_STATES:
        raise ConflictError(
            f"this booking is {booking.state}", code="booking_wrong_state", state=booking.state
        )


def _checklist(booking: Booking) -> list[str]:
    return [m["code"] for m in booking.service.materials]


def material_upload(
    *, actor: AnyActor, booking_id: int, item: str, content: bytes, filename: str = ""
) -> MaterialUpload:
    """A member sends a file (a JPEG or PNG photo, or a PDF, up to MATERIAL_MAX_BYTES) for an
    item of their own booking's checklist, while the booking is still to be served."""
    if not isinstance(actor, MemberActor):
        raise PermissionDeniedError("a member sends the materials of their own booking", code="not_member")
    booking = selectors.booking_get(actor=actor, booking_id=booking_id)
    _open_for_materials(booking)
    domain.check_item(item, _checklist(booking))
    content_type = domain.sniff_material(content)
    if next(m for m in selectors.materials_of(booking) if m.code == item).status == MaterialStatus.ACCEPTED:
        raise ConflictError("this item is already accepted", code="material_accepted")
    sent = MaterialUpload.objects.filter(booking=booking, item=item)
    for _ in range(VERSION_TRIES):
        last = sent.aggregate(n=Max("version"))["n"] or 0
        if last >= domain.MATERIAL_MAX_VERSIONS:
            raise ConflictError(
                f"at most {domain.MATERIAL_MAX_VERSIONS} files per item",
                code="too_many_uploads",
                limit=domain.MATERIAL_MAX_VERSIONS,
            )
        try:
            with transaction.atomic():
                return MaterialUpload.objects.create(
                    booking=booking, item=item, version=last + 1, content_type=content_type,
                    size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                    filename=domain.safe_filename(filename), content=content, uploaded_by_id=actor.user_id,
                    uploaded_at=timezone.now(),
                )  # fmt: skip
        except IntegrityError:
            continue  # another upload of this item took the number: take the next
    raise ConflictError("uploads of this item are busy; try again", code="upload_busy")


def _upload_reviewed(booking: Booking, item: str, upload_id: int | None) -> MaterialUpload | None:
    """The upload a review is of: the item's latest (none when nothing was sent). A named upload
    must be that one."""
    latest = (
        MaterialUpload.objects.filter(booking=booking, item=item)
        .defer("content")
        .order_by("-version")
        .first()
    )
    if upload_id is None or (latest is not None and upload_id == latest.pk):
        return latest
    if not MaterialUpload.objects.filter(booking=booking, item=item, pk=upload_id).exists():
        raise NotFoundError(f"upload {upload_id} not found", code="upload_not_found")
    raise ConflictError(
        "a newer file was sent for this item: look at it first",
        code="upload_superseded",
        latest_upload_id=latest.pk if latest else None,
    )


@transaction.atomic
def material_review(
    *,
    actor: AnyActor,
    booking_id: int,
    item: str,
    decision: str,
    reason: str = "",
    upload_id: int | None = None,
) -> MaterialReview:
    """The clerk (appointment.desk, the booking's outlet in scope) accepts or rejects one item of
    a booking's checklist: the file sent (``upload_id``, the latest if not named) or the paper
    brought when none was sent. A rejection needs a reason."""
    if isinstance(actor, MemberActor):
        raise PermissionDeniedError("staff check the materials", code="not_staff")
    booking = selectors.booking_get(actor=actor, booking_id=booking_id)
    actor.require(Perm.APPOINTMENT_DESK)
    _open_for_materials(booking)
    domain.check_item(item, _checklist(booking))
    text = domain.check_review(decision, reason)
    upload = _upload_reviewed(booking, item, upload_id)
    # The booking row is the lock (on PostgreSQL; SQLite has one writer anyway), and its state
    # is the guard: a booking served meanwhile takes no more reviews.
    if (
        not Booking.objects.select_for_update()
        .filter(pk=booking.pk, state__in=domain.MATERIAL_STATES)
        .exists()
    ):
        raise ConflictError("this booking changed meanwhile", code="booking_wrong_state")
    review = MaterialReview.objects.create(
        booking=booking, item=item, upload=upload, decision=decision, reason=text,
        reviewed_by_id=actor.user_id, reviewed_at=timezone.now(),
    )  # fmt: skip
    latest = dict(
        MaterialReview.objects.filter(booking=booking)
        .order_by("reviewed_at", "pk")
        .values_list("item", "decision")
    )
    checked = [code for code in _checklist(booking) if latest.get(code) == MaterialDecision.ACCEPTED]
    Booking.objects.filter(pk=booking.pk).update(materials_checked=checked)
    return review
