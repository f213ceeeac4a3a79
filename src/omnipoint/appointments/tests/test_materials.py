"""Materials sent ahead and checked at the outlet: versions that are never edited, reviews that
name the file they saw, and the pages of the member and the clerk (who sees which file)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from omnipoint.appointments import selectors, services
from omnipoint.appointments.models import Booking, MaterialReview, MaterialUpload
from omnipoint.core.errors import DomainError
from omnipoint.testing import PERSONAS, user_of

from .world import JPEG, NOT_AN_IMAGE, PDF

pytestmark = pytest.mark.django_db


def refused(code: str, fn, **kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as e:
        fn(**kwargs)
    assert e.value.code == code, e.value.as_dict()


def status(booking: Booking, item: str) -> str:
    return next(m.status for m in selectors.materials_of(booking) if m.code == item)


def test_uploads_are_versions_and_reviews_name_the_file_seen(appts):
    me, clerk = appts.me(), appts.staff("outlet_clerk")
    booking = services.booking_create(actor=me, slot_id=appts.slot().pk, channel="web").booking
    first = services.material_upload(actor=me, booking_id=booking.pk, item="id_card", content=JPEG,
                                     filename="C:\\photos\\身份证.jpg")  # fmt: skip
    assert (first.version, first.content_type, first.filename) == (1, "image/jpeg", "身份证.jpg")
    assert status(booking, "id_card") == "pending" and status(booking, "photo") == "missing"
    second = services.material_upload(actor=me, booking_id=booking.pk, item="id_card", content=PDF)
    assert second.version == 2 and bytes(MaterialUpload.objects.get(pk=first.pk).content) == JPEG

    # The clerk looked at version 1 while version 2 arrived: that check is refused.
    refused("upload_superseded", services.material_review, actor=clerk, booking_id=booking.pk, item="id_card",
            decision="accepted", upload_id=first.pk)  # fmt: skip
    services.material_review(actor=clerk, booking_id=booking.pk, item="id_card", decision="rejected",
                             reason="照片模糊", upload_id=second.pk)  # fmt: skip
    assert status(booking, "id_card") == "rejected"
    third = services.material_upload(actor=me, booking_id=booking.pk, item="id_card", content=JPEG)
    assert status(booking, "id_card") == "pending"  # sent again: to be checked again
    services.material_review(actor=clerk, booking_id=booking.pk, item="id_card", decision="accepted")
    # The photo was not sent: the clerk accepts the one brought to the counter.
    services.material_review(actor=clerk, booking_id=booking.pk, item="photo", decision="accepted")
    booking.refresh_from_db()
    assert booking.materials_checked == ["id_card", "photo"]
    reviews = list(
        MaterialReview.objects.filter(booking=booking).values_list("upload_id", "decision", "reason")
    )
    assert reviews == [
        (second.pk, "rejected", "照片模糊"),
        (third.pk, "accepted", ""),
        (None, "accepted", ""),
    ]
    assert {r.reviewed_by_id for r in MaterialReview.objects.all()} == {user_of("outlet_clerk").pk}
    refused("material_accepted", services.material_upload, actor=me, booking_id=booking.pk, item="id_card",
            content=JPEG)  # fmt: skip
    # Another member's booking does not exist for them; staff do not send a member's files.
    refused("booking_not_found", services.material_upload, actor=appts.me(appts.other), booking_id=booking.pk,
            item="photo", content=JPEG)  # fmt: skip
    refused("not_member", services.material_upload, actor=clerk, booking_id=booking.pk, item="photo",
            content=JPEG)  # fmt: skip
    refused("not_staff", services.material_review, actor=me, booking_id=booking.pk, item="photo",
            decision="accepted")  # fmt: skip


def _shop(member) -> Client:  # type: ignore[no-untyped-def]
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(member.user)
    return c


def _staff(persona: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user_of(persona))
    return c


def test_the_member_sends_on_the_shop_and_the_clerk_checks_at_the_console(appts):
    booking = services.booking_create(actor=appts.me(), slot_id=appts.slot().pk, channel="web").booking
    shop = _shop(appts.member)
    page = reverse("appointments_shop:booking", args=[booking.code])
    send = reverse("appointments_shop:material_upload", args=[booking.code, "id_card"])
    html = shop.get(page).content.decode()
    assert "居民身份证原件" in html and "尚未提交" in html and 'enctype="multipart/form-data"' in html
    # Named like a photo, but not one: refused by what it holds, nothing kept.
    bad = shop.post(send, {"file": SimpleUploadedFile("id.jpg", NOT_AN_IMAGE, content_type="image/jpeg")})
    assert bad.status_code == 422 and "请上传照片" in bad.content.decode()
    assert not MaterialUpload.objects.exists()
    resp = shop.post(send, {"file": SimpleUploadedFile("scan.bin", JPEG, content_type="application/x-bad")})
    assert resp.status_code == 302 and "待网点核验" in shop.get(page).content.decode()
    upload = MaterialUpload.objects.get()
    mine = shop.get(reverse("appointments_shop:material_file", args=[booking.code, upload.pk]))
    assert mine.status_code == 200 and mine.content == JPEG and mine["Content-Type"] == "image/jpeg"
    assert mine["X-Content-Type-Options"] == "nosniff" and "no-store" in mine["Cache-Control"]
    stranger = _shop(appts.other)
    assert (
        stranger.get(reverse("appointments_shop:material_file", args=[booking.code, upload.pk])).status_code
        == 404
    )

    console = reverse("appointments_console:booking", args=[booking.pk])
    clerk = _staff("outlet_clerk")
    assert "证件照" in clerk.get(console).content.decode()
    no_reason = clerk.post(console, {"action": "review", "item": "id_card", "decision": "rejected",
                                     "upload": upload.pk})  # fmt: skip
    assert no_reason.status_code == 422 and not MaterialReview.objects.exists()
    clerk.post(console, {"action": "review", "item": "id_card", "decision": "rejected", "reason": "照片模糊",
                         "upload": upload.pk})  # fmt: skip
    html = shop.get(page).content.decode()
    assert "未通过" in html and "照片模糊" in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_file_is_served_to_staff_whose_scope_covers_the_outlet(appts, persona):
    booking = services.booking_create(actor=appts.me(), slot_id=appts.slot().pk, channel="web").booking
    upload = services.material_upload(actor=appts.me(), booking_id=booking.pk, item="photo", content=PDF)
    staff = _staff(persona)
    file = staff.get(reverse("appointments_console:material_file", args=[booking.pk, upload.pk]))
    page = staff.get(reverse("appointments_console:booking", args=[booking.pk]))
    review = staff.post(reverse("appointments_console:booking", args=[booking.pk]),
                        {"action": "review", "item": "photo", "decision": "accepted", "upload": upload.pk})  # fmt: skip
    if persona == "other_city_clerk":
        assert (file.status_code, page.status_code, review.status_code) == (404, 404, 404)
        assert not MaterialReview.objects.exists()
        return
    assert (
        file.status_code == 200
        and file.content == PDF
        and file["Content-Disposition"].startswith("attachment")
    )
    assert page.status_code == 200 and review.status_code == 302
    assert MaterialReview.objects.get().reviewed_by_id == user_of(persona).pk
